namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record MethodMatchSpec
{
    public string Value { get; init; } = "";
    public bool? Invert { get; init; }
}
