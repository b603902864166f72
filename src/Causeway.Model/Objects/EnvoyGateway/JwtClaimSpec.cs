namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>A claim condition: dotted name, <c>String</c> or <c>StringArray</c>, one of the values.</summary>
public sealed record JwtClaimSpec
{
    public string Name { get; init; } = "";
    public string? ValueType { get; init; }
    public IReadOnlyList<string> Values { get; init; } = [];
}
