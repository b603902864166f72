using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>
/// A global rate limit: every rule whose conditions match charges its counter, shared by every proxy replica of the
/// Gateway (Causeway counts in Redis, the data plane's process setting). A rule's counter belongs to the gateway, the
/// policy, the route rule (unless shared), the rule and its distinct values.
/// </summary>
public sealed record GlobalRateLimitIr
{
    public EquatableArray<RateLimitRuleIr> Rules { get; init; } = EquatableArray<RateLimitRuleIr>.Empty;
}
