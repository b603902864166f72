using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>
/// A client-selector condition. Header/query: <see cref="Name"/> and one value (none for Distinct). Method: any of
/// <see cref="Values"/>. Path: one value (Exact, Prefix, Regex). SourceCidr: one CIDR (Exact or Distinct).
/// </summary>
public sealed record RateLimitConditionIr
{
    public required RateLimitConditionKind Kind { get; init; }

    public RateLimitMatch Match { get; init; } = RateLimitMatch.Exact;

    public string? Name { get; init; }

    public EquatableArray<string> Values { get; init; } = EquatableArray<string>.Empty;

    public bool Invert { get; init; }
}
