using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Snapshot;
using Causeway.Translation.Gateways;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Policies;

/// <summary>
/// The BackendTrafficPolicies of one translation: each compiled once, attached by <see cref="PolicyAttachment{TPolicy}"/>,
/// and applied to the rules of the routes they reach: route rule (sectionName) &gt; route &gt; ListenerSet listener
/// &gt; ListenerSet &gt; Gateway listener (sectionName) &gt; Gateway, the most specific wins whole.
/// </summary>
internal sealed class BackendTrafficPolicies
{
    /// <summary>The kinds a BackendTrafficPolicy may target (its CRD's CEL rules).</summary>
    public static readonly IReadOnlySet<string> AllowedKinds = new HashSet<string>(StringComparer.Ordinal)
        { "Gateway", "ListenerSet", "HTTPRoute", "GRPCRoute", "TCPRoute", "UDPRoute", "TLSRoute" };

    private readonly Dictionary<ObjectKey, (BackendTrafficPolicy Policy, CompiledBackendTrafficPolicy Compiled)> _policies = [];
    private readonly Dictionary<BackendTrafficPolicy, Dictionary<HttpRuleIr, HttpRuleIr>> _applied = new(ReferenceEqualityComparer.Instance);

    public BackendTrafficPolicies(ResourceSnapshot s, Func<string, IReadOnlyDictionary<string, string>> namespaceLabels)
    {
        foreach (var p in s.BackendTrafficPolicies) _policies[p.Key] = (p, BackendTrafficPolicyCompiler.Compile(p));
        Attachment = new PolicyAttachment<BackendTrafficPolicy>(s.BackendTrafficPolicies, s, AllowedKinds,
            p => _policies[p.Key].Compiled.Errors.Count > 0, namespaceLabels);
    }

    public PolicyAttachment<BackendTrafficPolicy> Attachment { get; }

    public (BackendTrafficPolicy Policy, CompiledBackendTrafficPolicy Compiled) Get(ObjectKey key) => _policies[key];

    /// <summary>The rule as served through listener <paramref name="l"/>: with its effective policy applied, or unchanged.</summary>
    public HttpRuleIr Apply(ListenerContext l, Route route, int ruleIndex, HttpRuleIr rule)
    {
        if (_policies.Count == 0) return rule;
        var list = RuleTargets.For(l, route, ruleIndex);
        if (Attachment.Effective(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list), $"{route.Namespace}/{route.Name}") is not { } winner)
            return rule;
        if (!_applied.TryGetValue(winner.Policy, out var cache)) _applied[winner.Policy] = cache = new Dictionary<HttpRuleIr, HttpRuleIr>(ReferenceEqualityComparer.Instance);
        if (!cache.TryGetValue(rule, out var applied)) cache[rule] = applied = _policies[winner.Policy.Key].Compiled.Apply(rule);
        return applied;
    }
}
