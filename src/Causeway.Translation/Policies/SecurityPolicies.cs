using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Snapshot;
using Causeway.Translation.Gateways;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Policies;

/// <summary>
/// The SecurityPolicies of one translation: each compiled once, attached by <see cref="PolicyAttachment{TPolicy}"/>
/// (the mechanism BackendTrafficPolicy uses: oldest wins a target, the most specific wins a rule, whole) and applied
/// to the rules of the routes they reach. An invalid policy still holds its targets, so what it protects fails closed.
/// </summary>
internal sealed class SecurityPolicies
{
    /// <summary>The kinds a SecurityPolicy may target (its CRD's CEL rules).</summary>
    public static readonly IReadOnlySet<string> AllowedKinds = new HashSet<string>(StringComparer.Ordinal)
        { "Gateway", "ListenerSet", "HTTPRoute", "GRPCRoute", "TCPRoute" };

    private readonly Dictionary<ObjectKey, (SecurityPolicy Policy, CompiledSecurityPolicy Compiled)> _policies = [];
    private readonly Dictionary<SecurityPolicy, Dictionary<HttpRuleIr, HttpRuleIr>> _applied = new(ReferenceEqualityComparer.Instance);

    public SecurityPolicies(ResourceSnapshot s, Func<string, IReadOnlyDictionary<string, string>> namespaceLabels)
    {
        foreach (var p in s.SecurityPolicies) _policies[p.Key] = (p, SecurityPolicyCompiler.Compile(p, s));
        Attachment = new PolicyAttachment<SecurityPolicy>(s.SecurityPolicies, s, AllowedKinds, _ => false, namespaceLabels);
    }

    public PolicyAttachment<SecurityPolicy> Attachment { get; }

    public (SecurityPolicy Policy, CompiledSecurityPolicy Compiled) Get(ObjectKey key) => _policies[key];

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
