namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record HashHeaderSpec
{
    public string Name { get; init; } = "";
}
