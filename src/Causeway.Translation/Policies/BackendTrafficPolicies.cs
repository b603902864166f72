using Causeway.Model;
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
internal sealed class BackendTrafficPolicies(ResourceSnapshot s, Func<string, IReadOnlyDictionary<string, string>> namespaceLabels, bool? globalRateLimitBackend = null)
    : RulePolicies<BackendTrafficPolicy, CompiledBackendTrafficPolicy>(s.BackendTrafficPolicies, p => BackendTrafficPolicyCompiler.Compile(p, s, globalRateLimitBackend), s, AllowedKinds, holdsTargets: false, namespaceLabels)
{
    private readonly Dictionary<ObjectKey, SortedSet<string>> _reached = [];

    /// <summary>
    /// An L4 route as served through listener <paramref name="l"/>: with the effective policy of the route (or of its
    /// listener or Gateway) attached, or unchanged.
    /// </summary>
    public L4RouteIr ApplyL4(ListenerContext l, Route route, L4RouteIr r)
    {
        var list = RuleTargets.For(l, route, -1);
        if (Attachment.Effective(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list), $"{route.Namespace}/{route.Name}", out _) is not { } winner)
            return r;
        Reached(winner.Policy.Key, route);
        return r with { BackendTraffic = Get(winner.Policy.Key).Compiled.Ir };
    }

    /// <summary>A warning for the status of policy <paramref name="policy"/> (<c>namespace/name</c>) found while building a Gateway's IR.</summary>
    public void Warn(string policy, string warning)
    {
        foreach (var key in Attachment.Policies)
            if ($"{key.Namespace}/{key.Name}" == policy) AddWarning(key, warning);
    }

    protected override void Reached(ObjectKey policy, Route route)
    {
        if (!_reached.TryGetValue(policy, out var routes)) _reached[policy] = routes = new SortedSet<string>(StringComparer.Ordinal);
        routes.Add($"{route.Kind} {route.Namespace}/{route.Name}");
    }

    protected override IReadOnlyList<string> WarningsFor(ObjectKey policy, CompiledBackendTrafficPolicy compiled)
    {
        if (!_reached.TryGetValue(policy, out var routes)) return compiled.Warnings;
        var warnings = new List<string>(compiled.Warnings);
        Add(compiled.IgnoredByStreams, routes.Where(r => r.StartsWith("TCPRoute ", StringComparison.Ordinal) || r.StartsWith("TLSRoute ", StringComparison.Ordinal)));
        Add(compiled.IgnoredByDatagrams, routes.Where(r => r.StartsWith("UDPRoute ", StringComparison.Ordinal)));
        var http = routes.Where(r => r.StartsWith("HTTPRoute ", StringComparison.Ordinal) || r.StartsWith("GRPCRoute ", StringComparison.Ordinal)).ToList();
        Add(compiled.LimitedForHttp, http, "for");
        return warnings;

        void Add(IReadOnlyList<string> fields, IEnumerable<string> kinds, string how = "ignored for")
        {
            var names = string.Join(", ", kinds);
            if (names.Length == 0) return;
            foreach (var f in fields) warnings.Add($"{f}, {how} {names}");
        }
    }

    /// <summary>The kinds a BackendTrafficPolicy may target (its CRD's CEL rules).</summary>
    public static readonly IReadOnlySet<string> AllowedKinds = new HashSet<string>(StringComparer.Ordinal)
        { "Gateway", "ListenerSet", "HTTPRoute", "GRPCRoute", "TCPRoute", "UDPRoute", "TLSRoute" };
}
