using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>One rate-limit rule: <see cref="Requests"/> per <see cref="UnitSeconds"/> for requests meeting every condition.</summary>
public sealed record RateLimitRuleIr
{
    /// <summary>Index of the rule in the policy (part of its bucket's identity).</summary>
    public required int Index { get; init; }

    /// <summary>All must hold (clientSelectors flattened); empty: every request of the rule.</summary>
    public EquatableArray<RateLimitConditionIr> Conditions { get; init; } = EquatableArray<RateLimitConditionIr>.Empty;

    public required long Requests { get; init; }

    public required long UnitSeconds { get; init; }

    /// <summary>One bucket across every route the policy applies to (<c>shared: true</c>), instead of one per route rule.</summary>
    public bool Shared { get; init; }

    /// <summary>Whether <c>x-ratelimit-*</c> headers are written (<c>xRateLimitHeaders: Off</c> turns them off).</summary>
    public bool Headers { get; init; } = true;
}
