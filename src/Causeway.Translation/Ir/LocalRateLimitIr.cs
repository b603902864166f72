using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>A local (per gateway instance) rate limit: every rule whose conditions match charges its bucket.</summary>
public sealed record LocalRateLimitIr
{
    public EquatableArray<RateLimitRuleIr> Rules { get; init; } = EquatableArray<RateLimitRuleIr>.Empty;
}
