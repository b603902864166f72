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

    /// <summary>Global limits: what a request (and its response) costs; null: one per request, nothing per response.</summary>
    public RateLimitCostIr? Cost { get; init; }

    /// <summary>Global limits: counted, never enforced (<c>shadowMode: true</c>). Not written when false (local limits have none).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool ShadowMode { get; init; }
}
