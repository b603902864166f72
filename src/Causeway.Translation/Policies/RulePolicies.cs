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
    where TCompiled : class, IRulePolicy
{
    private readonly Dictionary<ObjectKey, (TPolicy Policy, TCompiled Compiled)> _policies = [];
    private readonly Dictionary<object, Dictionary<HttpRuleIr, HttpRuleIr>> _applied = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<(ObjectKey Route, ObjectKey Parent), TCompiled?> _merged = [];
    private readonly Dictionary<ObjectKey, SortedSet<string>> _mergeWarnings = [];
    private readonly Func<TPolicy, TCompiled> _compile;

    /// <param name="holdsTargets">Whether an invalid policy still holds its targets (SecurityPolicy: what it protects fails closed).</param>
    protected RulePolicies(IEnumerable<TPolicy> policies, Func<TPolicy, TCompiled> compile, Causeway.Model.Snapshot.ResourceSnapshot s,
        IReadOnlySet<string> allowedKinds, bool holdsTargets, Func<string, IReadOnlyDictionary<string, string>> namespaceLabels)
    {
        _compile = compile;
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
        var routeKey = $"{route.Namespace}/{route.Name}";
        if (Attachment.Effective(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list), routeKey, out var parent) is not { } winner)
            return rule;
        Reached(winner.Policy.Key, route);
        var compiled = _policies[winner.Policy.Key].Compiled;
        if (parent is { } p)
        {
            var merged = Merged(winner.Policy, p.Policy);
            Attachment.Merged(winner.Policy, p, routeKey, merged is not null);
            compiled = merged ?? compiled;
        }
        if (!_applied.TryGetValue(compiled, out var cache)) _applied[compiled] = cache = new Dictionary<HttpRuleIr, HttpRuleIr>(ReferenceEqualityComparer.Instance);
        if (!cache.TryGetValue(rule, out var applied)) cache[rule] = applied = compiled.Apply(rule);
        return ForRoute(applied, route, ruleIndex);
    }

    /// <summary>The applied rule with what the policy takes from the route itself (SecurityPolicy: ext auth's route metadata).</summary>
    protected virtual HttpRuleIr ForRoute(HttpRuleIr applied, Route route, int ruleIndex) => applied;

    /// <summary>
    /// The route policy <paramref name="route"/> merged onto <paramref name="parent"/> (its <c>mergeType</c>) and compiled
    /// once per pair; null when the merge does not compile: the route policy then applies alone, with a warning saying why.
    /// </summary>
    private TCompiled? Merged(TPolicy route, TPolicy parent)
    {
        if (_merged.TryGetValue((route.Key, parent.Key), out var done)) return done;
        TCompiled? result;
        var what = $"spec.mergeType: merged with {parent.Kind} {parent.Namespace}/{parent.Name}";
        try
        {
            var merged = _compile(PolicyMerge.Merge(parent, route, route.MergeType!));
            if (merged.Errors.Count == 0) result = merged;
            else
            {
                MergeWarning(route.Key, $"{what}: {string.Join("; ", merged.Errors)}; the route policy applies alone");
                result = default;
            }
        }
        catch (System.Text.Json.JsonException e)
        {
            MergeWarning(route.Key, $"{what}: the merged spec is not valid ({e.Message}); the route policy applies alone");
            result = default;
        }
        _merged[(route.Key, parent.Key)] = result;
        return result;
    }

    private void MergeWarning(ObjectKey policy, string warning) => AddWarning(policy, warning);

    /// <summary>A warning for a policy's status beyond its own (a merge that failed, a setting overruled on a shared backend).</summary>
    protected void AddWarning(ObjectKey policy, string warning)
    {
        if (!_mergeWarnings.TryGetValue(policy, out var set)) _mergeWarnings[policy] = set = new SortedSet<string>(StringComparer.Ordinal);
        set.Add(warning);
    }

    /// <summary>Every policy's status for <paramref name="writer"/>.</summary>
    public void AddStatuses(PolicyStatuses writer)
    {
        foreach (var key in Attachment.Policies)
        {
            var (policy, compiled) = Get(key);
            var own = WarningsFor(key, compiled);
            var warnings = _mergeWarnings.TryGetValue(key, out var merge) ? [.. own, .. merge] : own;
            writer.Add(policy, Attachment.State(key), compiled.Errors, warnings);
        }
    }

    /// <summary>Policy <paramref name="policy"/> is effective for a rule of <paramref name="route"/>.</summary>
    protected virtual void Reached(ObjectKey policy, Route route)
    {
    }

    /// <summary>The warnings of a policy's status: its own, plus what the kinds of the routes it reached ignore.</summary>
    protected virtual IReadOnlyList<string> WarningsFor(ObjectKey policy, TCompiled compiled) => compiled.Warnings;
}
