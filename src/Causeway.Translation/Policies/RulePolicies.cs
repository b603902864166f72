using Causeway.Model;
using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Translation.Gateways;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Policies;

/// <summary>
/// The policies of one kind that apply to route rules (BackendTrafficPolicy, SecurityPolicy), for one translation:
/// each compiled once, attached by <see cref="PolicyAttachment{TPolicy}"/> (route rule (sectionName) &gt; route &gt;
/// ListenerSet listener &gt; ListenerSet &gt; Gateway listener (sectionName) &gt; Gateway, the most specific wins
/// whole), and applied to each rule it reaches once per (policy, rule).
/// </summary>
internal abstract class RulePolicies<TPolicy, TCompiled>
    where TPolicy : KubeObject, ITargetedPolicy
    where TCompiled : IRulePolicy
{
    private readonly Dictionary<ObjectKey, (TPolicy Policy, TCompiled Compiled)> _policies = [];
    private readonly Dictionary<TPolicy, Dictionary<HttpRuleIr, HttpRuleIr>> _applied = new(ReferenceEqualityComparer.Instance);

    /// <param name="holdsTargets">Whether an invalid policy still holds its targets (SecurityPolicy: what it protects fails closed).</param>
    protected RulePolicies(IEnumerable<TPolicy> policies, Func<TPolicy, TCompiled> compile, Causeway.Model.Snapshot.ResourceSnapshot s,
        IReadOnlySet<string> allowedKinds, bool holdsTargets, Func<string, IReadOnlyDictionary<string, string>> namespaceLabels)
    {
        var list = policies.ToList();
        foreach (var p in list) _policies[p.Key] = (p, compile(p));
        Attachment = new PolicyAttachment<TPolicy>([.. list], s, allowedKinds,
            holdsTargets ? _ => false : p => _policies[p.Key].Compiled.Errors.Count > 0, namespaceLabels);
    }

    public PolicyAttachment<TPolicy> Attachment { get; }

    public (TPolicy Policy, TCompiled Compiled) Get(ObjectKey key) => _policies[key];

    /// <summary>The rule as served through listener <paramref name="l"/>: with its effective policy applied, or unchanged.</summary>
    public HttpRuleIr Apply(ListenerContext l, Route route, int ruleIndex, HttpRuleIr rule)
    {
        if (_policies.Count == 0) return rule;
        var list = RuleTargets.For(l, route, ruleIndex);
        if (Attachment.Effective(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list), $"{route.Namespace}/{route.Name}") is not { } winner)
            return rule;
        Reached(winner.Policy.Key, route);
        if (!_applied.TryGetValue(winner.Policy, out var cache)) _applied[winner.Policy] = cache = new Dictionary<HttpRuleIr, HttpRuleIr>(ReferenceEqualityComparer.Instance);
        if (!cache.TryGetValue(rule, out var applied)) cache[rule] = applied = _policies[winner.Policy.Key].Compiled.Apply(rule);
        return applied;
    }

    /// <summary>Every policy's status for <paramref name="writer"/>.</summary>
    public void AddStatuses(PolicyStatuses writer)
    {
        foreach (var key in Attachment.Policies)
        {
            var (policy, compiled) = Get(key);
            writer.Add(policy, Attachment.State(key), compiled.Errors, WarningsFor(key, compiled));
        }
    }

    /// <summary>Policy <paramref name="policy"/> is effective for a rule of <paramref name="route"/>.</summary>
    protected virtual void Reached(ObjectKey policy, Route route)
    {
    }

    /// <summary>The warnings of a policy's status: its own, plus what the kinds of the routes it reached ignore.</summary>
    protected virtual IReadOnlyList<string> WarningsFor(ObjectKey policy, TCompiled compiled) => compiled.Warnings;
}
