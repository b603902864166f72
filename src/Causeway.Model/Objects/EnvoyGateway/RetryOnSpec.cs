namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record RetryOnSpec
{
    public IReadOnlyList<string> Triggers { get; init; } = [];
    public IReadOnlyList<int> HttpStatusCodes { get; init; } = [];
}
