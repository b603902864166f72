using Causeway.Model.Loading;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Translation.Status;

namespace Causeway.Translation.Policies;

/// <summary>
/// The status of every policy of one kind, as Envoy Gateway writes it: one <c>ancestors[]</c> entry per Gateway (or
/// ListenerSet, or a route's parentRef as written) the policy reaches, with <c>Accepted</c> (True, or False with
/// <c>Invalid</c>/<c>Conflicted</c>), <c>Overridden</c> where a more specific policy applies to some routes instead,
/// <c>Merged</c> on a route policy whose <c>mergeType</c> merged it with a Gateway/ListenerSet policy,
/// and <c>Warning</c> naming fields Causeway does not honour yet.
/// </summary>
internal sealed class PolicyStatuses(ResourceSnapshot s, TranslatorOptions o, Func<string, string, bool> ownsGateway, Func<string, string, bool> ownsListenerSet, string overriddenFor = "routes")
{
    public const string Overridden = "Overridden";
    public const string Warning = "Warning";
    public const string Merged = "Merged";

    public List<ObjectStatus> Statuses { get; } = [];
    public List<string> Errors { get; } = [];
    public List<string> Problems { get; } = [];

    /// <param name="policy">The policy object.</param>
    /// <param name="state">What attachment decided for it.</param>
    /// <param name="errors">Why it is invalid (rejected whole), each naming its field.</param>
    /// <param name="warnings">Fields it sets that are not honoured.</param>
    public void Add(KubeObject policy, PolicyAttachmentState state, IReadOnlyList<string> errors, IReadOnlyList<string> warnings)
    {
        var ancestors = new SortedDictionary<string, (ParentRefStatus Ref, List<PolicyTarget> Targets)>(StringComparer.Ordinal);
        var unsupportedKinds = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (target, field) in state.Targets)
        {
            var found = false;
            foreach (var anc in Ancestors(target))
            {
                found = true;
                var key = $"{anc.Kind}/{anc.Namespace}/{anc.Name}/{anc.SectionName}";
                if (!ancestors.TryGetValue(key, out var entry)) ancestors[key] = entry = (anc, []);
                entry.Targets.Add(target);
            }
            if (!found && !Exists(target)) Problems.Add($"{policy.Describe()}: {field}: {target.Kind} {target.Namespace}/{target.Name} not found");
            // BackendTrafficPolicy serves L4 routes (their connection-level fields); other kinds do not yet.
            if (target.Kind is "TCPRoute" or "UDPRoute" or "TLSRoute" && policy.Kind != "BackendTrafficPolicy") unsupportedKinds.Add(target.Kind);
        }
        var invalid = new List<string>(state.Problems);
        invalid.AddRange(errors);
        foreach (var kind in unsupportedKinds)
            invalid.Add($"Causeway does not apply {policy.Kind} to {kind} targets yet");
        foreach (var e in invalid) Errors.Add($"{policy.Describe()}: {e}");
        foreach (var w in warnings) Problems.Add($"{policy.Describe()}: warning: {w}");
        if (ancestors.Count == 0 && !o.PreviousStatuses.ContainsKey(policy.Key)) return;

        var prev = o.PreviousStatuses.GetValueOrDefault(policy.Key) as PolicyStatus;
        var list = new List<PolicyAncestorStatus>();
        foreach (var (anc, targets) in ancestors.Values)
        {
            var prevAnc = prev?.Ancestors.FirstOrDefault(a => a.AncestorRef == anc);
            var c = new ConditionSet(policy.Metadata.Generation, o.Now, prevAnc is null ? null : [.. prevAnc.Conditions]);
            var conflicts = targets.Where(state.ConflictedWith.ContainsKey).ToList();
            if (invalid.Count > 0)
                c.Set(Reasons.Accepted, false, Reasons.Invalid, string.Join("; ", invalid));
            else if (conflicts.Count > 0)
                c.Set(Reasons.Accepted, false, Reasons.Conflicted, string.Join("; ", conflicts.Select(t =>
                    $"Unable to target {t}, another {policy.Kind} ({state.ConflictedWith[t].Namespace}/{state.ConflictedWith[t].Name}) has already attached to it")));
            else
                c.Set(Reasons.Accepted, true, Reasons.Accepted, "Policy has been accepted.");
            var overridden = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var t in targets)
                if (state.Overridden.TryGetValue(t, out var routes)) overridden.UnionWith(routes);
            if (invalid.Count == 0 && overridden.Count > 0)
                c.Set(Overridden, true, Overridden, $"This policy is being overridden by other {Plural(policy.Kind)} for these {overriddenFor}: [{string.Join(", ", overridden)}]");
            if (invalid.Count == 0 && state.MergedWith.Count > 0)
                c.Set(Merged, true, Merged, $"Merged with policy {string.Join(", ", state.MergedWith)}");
            if (invalid.Count == 0 && warnings.Count > 0)
                c.Set(Warning, true, Reasons.UnsupportedValue, string.Join("; ", warnings));
            list.Add(new PolicyAncestorStatus { AncestorRef = anc, ControllerName = o.StatusControllerName, Conditions = c.Build() });
        }
        Statuses.Add(new ObjectStatus(policy.Key, policy.Metadata.Generation, new PolicyStatus { Ancestors = new(list) }));
    }

    /// <summary><c>BackendTrafficPolicy</c> -> <c>backendTrafficPolicies</c>, as Envoy Gateway words it.</summary>
    private static string Plural(string kind) =>
        char.ToLowerInvariant(kind[0]) + (kind.EndsWith('y') ? kind[1..^1] + "ies" : kind[1..] + "s");

    private bool Exists(PolicyTarget t) => s.All.Any(x => x.Kind == t.Kind && x.Namespace == t.Namespace && x.Name == t.Name);

    /// <summary>The ancestors a target reports under: itself for a Gateway/ListenerSet we serve, a route's parentRefs to them.</summary>
    private IEnumerable<ParentRefStatus> Ancestors(PolicyTarget t)
    {
        switch (t.Kind)
        {
            case "Gateway" when ownsGateway(t.Namespace, t.Name):
            case "ListenerSet" when ownsListenerSet(t.Namespace, t.Name):
                yield return new ParentRefStatus { Group = KindRegistry.GatewayGroup, Kind = t.Kind, Namespace = t.Namespace, Name = t.Name, SectionName = t.SectionName };
                yield break;
            case "Gateway" or "ListenerSet":
                yield break;
        }
        if (s.Get<Route>(t.Kind, t.Namespace, t.Name) is not { } route) yield break;
        foreach (var p in route.ParentRefs)
        {
            var kind = p.Kind ?? "Gateway";
            var ns = p.Namespace ?? route.Namespace;
            var ours = kind switch { "Gateway" => ownsGateway(ns, p.Name), "ListenerSet" => ownsListenerSet(ns, p.Name), _ => false };
            if (ours && (p.Group ?? KindRegistry.GatewayGroup) == KindRegistry.GatewayGroup)
                yield return new ParentRefStatus { Group = KindRegistry.GatewayGroup, Kind = kind, Namespace = ns, Name = p.Name, SectionName = p.SectionName };
        }
    }
}
