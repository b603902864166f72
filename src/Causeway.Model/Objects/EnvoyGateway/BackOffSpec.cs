namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record BackOffSpec
{
    public string? BaseInterval { get; init; }
    public string? MaxInterval { get; init; }
}
