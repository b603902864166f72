using Causeway.Model.Loading;
using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Snapshot;

namespace Causeway.Translation.Policies;

/// <summary>
/// Turns a policy's <c>targetRefs</c>, deprecated <c>targetRef</c> and <c>targetSelectors</c> into the objects it
/// targets, for every policy kind alike. <c>targetRefs</c> name objects of the policy's namespace; <c>targetSelectors</c> reach other namespaces
/// only where a ReferenceGrant there allows it.
/// A reference to a kind the policy does not allow is a problem naming the field.
/// </summary>
internal static class PolicyTargetResolver
{
    public static (List<(PolicyTarget Target, string Field)> Targets, List<string> Problems) Resolve(
        KubeObject policy, ITargetedPolicy spec, ResourceSnapshot s, IReadOnlySet<string> allowedKinds,
        Func<string, IReadOnlyDictionary<string, string>> namespaceLabels)
    {
        var targets = new List<(PolicyTarget, string)>();
        var problems = new List<string>();
        var seen = new HashSet<PolicyTarget>();
        void Add(PolicyTarget t, string field)
        {
            if (seen.Add(t)) targets.Add((t, field));
        }

        var refs = new List<(PolicyTargetReference Ref, string Field)>();
        if (spec.TargetRef is { } single) refs.Add((single, "spec.targetRef"));
        for (var i = 0; i < spec.TargetRefs.Count; i++) refs.Add((spec.TargetRefs[i], $"spec.targetRefs[{i}]"));
        foreach (var (r, field) in refs)
        {
            if (r.Group != KindRegistry.GatewayGroup || !allowedKinds.Contains(r.Kind))
            {
                problems.Add($"{field}: {policy.Kind} cannot target {r.Group}/{r.Kind} (allowed: {string.Join(", ", allowedKinds.Order(StringComparer.Ordinal))})");
                continue;
            }
            Add(new PolicyTarget(r.Kind, policy.Namespace, r.Name, string.IsNullOrEmpty(r.SectionName) ? null : r.SectionName), field);
        }

        for (var i = 0; i < spec.TargetSelectors.Count; i++)
        {
            var sel = spec.TargetSelectors[i];
            var field = $"spec.targetSelectors[{i}]";
            if ((sel.Group ?? KindRegistry.GatewayGroup) != KindRegistry.GatewayGroup || !allowedKinds.Contains(sel.Kind))
            {
                problems.Add($"{field}: {policy.Kind} cannot target {sel.Group ?? KindRegistry.GatewayGroup}/{sel.Kind}");
                continue;
            }
            var from = sel.Namespaces?.From ?? "Same";
            var labels = sel.Selector;
            foreach (var candidate in Candidates(s, sel.Kind))
            {
                var inScope = from switch
                {
                    "All" => true,
                    "Selector" => sel.Namespaces?.Selector is { } ns && ns.Matches(namespaceLabels(candidate.Namespace)),
                    _ => candidate.Namespace == policy.Namespace,
                };
                // Another namespace's objects only with its consent.
                inScope &= candidate.Namespace == policy.Namespace || ReferenceGrants.Allows(
                    s, policy.Group, policy.Kind, policy.Namespace, KindRegistry.GatewayGroup, sel.Kind, candidate.Namespace, candidate.Name);
                if (inScope && labels.Matches(candidate.Metadata.Labels))
                    Add(new PolicyTarget(sel.Kind, candidate.Namespace, candidate.Name, null), field);
            }
        }
        return (targets, problems);
    }

    private static IEnumerable<KubeObject> Candidates(ResourceSnapshot s, string kind) => kind switch
    {
        "Gateway" => s.Gateways,
        "ListenerSet" => s.ListenerSets,
        "HTTPRoute" => s.HttpRoutes,
        "GRPCRoute" => s.GrpcRoutes,
        "TCPRoute" => s.TcpRoutes,
        "UDPRoute" => s.UdpRoutes,
        "TLSRoute" => s.TlsRoutes,
        _ => [],
    };
}
