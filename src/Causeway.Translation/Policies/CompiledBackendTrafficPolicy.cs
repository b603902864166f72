using Causeway.Translation.Ir;

namespace Causeway.Translation.Policies;

/// <summary>
/// A BackendTrafficPolicy checked and turned into IR once per translation: the policy steps, the retry and timeouts
/// it sets (folded into the rules it applies to, for the upstream code that already implements them), and what is
/// wrong with it. <see cref="Errors"/> reject the policy whole; <see cref="Warnings"/> name fields it sets that
/// Causeway does not honour yet (the rest of the policy applies).
/// </summary>
internal sealed record CompiledBackendTrafficPolicy : IRulePolicy
{
    public required BackendTrafficPolicyIr Ir { get; init; }
    public RetryIr? Retry { get; init; }
    public TimeSpan? RequestTimeout { get; init; }
    public TimeSpan? BackendRequestTimeout { get; init; }
    public IReadOnlyList<string> Errors { get; init; } = [];
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Fields set that TCPRoutes and TLSRoutes do not serve (warned, with the routes, when the policy reaches one).</summary>
    public IReadOnlyList<string> IgnoredByStreams { get; init; } = [];

    /// <summary>Fields set that UDPRoutes do not serve.</summary>
    public IReadOnlyList<string> IgnoredByDatagrams { get; init; } = [];

    /// <summary>Warnings for fields HTTPRoute and GRPCRoute rules serve only in part (listed with the routes).</summary>
    public IReadOnlyList<string> LimitedForHttp { get; init; } = [];

    /// <summary>The rule with this policy applied: its steps, and retry/timeouts where the route sets none of its own.</summary>
    public HttpRuleIr Apply(HttpRuleIr rule) => rule with
    {
        BackendTraffic = Ir,
        Retry = rule.Retry ?? Retry,
        RequestTimeout = rule.RequestTimeout ?? RequestTimeout,
        BackendRequestTimeout = rule.BackendRequestTimeout ?? BackendRequestTimeout,
    };
}
