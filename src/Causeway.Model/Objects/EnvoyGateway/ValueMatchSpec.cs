namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>A header or query-parameter condition: <c>Exact</c> (default), <c>RegularExpression</c> or <c>Distinct</c>.</summary>
public sealed record ValueMatchSpec
{
    public string? Type { get; init; }
    public string Name { get; init; } = "";
    public string? Value { get; init; }
    public bool? Invert { get; init; }
}
