namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record PathMatchSpec
{
    public string? Type { get; init; }
    public string? Value { get; init; }
    public bool? Invert { get; init; }
}
