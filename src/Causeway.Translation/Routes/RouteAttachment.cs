using Causeway.Model.Loading;
using Causeway.Model.Objects;
using Causeway.Translation.Gateways;
using Causeway.Translation.Status;

namespace Causeway.Translation.Routes;

/// <summary>The outcome of one parentRef of a route: which listeners took it, or why none did.</summary>
internal sealed class RouteAttachment
{
    public required Route Route { get; init; }
    public required ParentReference Ref { get; init; }
    public required Gateway Gateway { get; init; }
    public List<ListenerContext> Listeners { get; } = [];
    public string? RejectReason { get; set; }
    public string RejectMessage { get; set; } = "";
    public bool Accepted => Listeners.Count > 0;

    /// <summary>Attaches the route to the parent's listeners as the spec decides (sectionName, port, kinds, namespaces, hostnames).</summary>
    public static RouteAttachment Attach(Route route, ParentReference pref, Gateway gateway, IReadOnlyList<ListenerContext> parentListeners,
        Func<string, IReadOnlyDictionary<string, string>> namespaceLabels)
    {
        var a = new RouteAttachment { Route = route, Ref = pref, Gateway = gateway };
        var candidates = new List<ListenerContext>(parentListeners.Count);
        foreach (var l in parentListeners)
            if ((pref.SectionName is null || l.Name == pref.SectionName) && (pref.Port is null || l.Spec.Port == pref.Port))
                candidates.Add(l);
        if (candidates.Count == 0)
        {
            a.RejectReason = Reasons.NoMatchingParent;
            a.RejectMessage = pref.SectionName is not null
                ? $"no listener named \"{pref.SectionName}\"" + (pref.Port is null ? "" : $" on port {pref.Port}")
                : $"no listener on port {pref.Port}";
            return a;
        }
        Route? conflict = null;
        var allowed = candidates;
        for (var i = allowed.Count - 1; i >= 0; i--)
        {
            var l = allowed[i];
            if (!(l.Usable && KindAllowed(l, route.Kind) && NamespaceAllowed(l, route.Namespace, namespaceLabels))) allowed.RemoveAt(i);
        }
        if (allowed.Count == 0)
        {
            a.RejectReason = Reasons.NotAllowedByListeners;
            a.RejectMessage = $"no listener of {gateway.Namespace}/{gateway.Name} allows a {route.Kind} from namespace {route.Namespace}";
            return a;
        }
        foreach (var l in allowed)
        {
            if (route is TcpRoute or UdpRoute)
            {
                a.Listeners.Add(l);
                l.Routes.Add((route, []));
                continue;
            }
            var hosts = Hostnames.Intersect(l.Spec.Hostname, route.Hostnames);
            if (hosts is null) continue;
            if (CrossKindConflict(l, route, hosts) is { } winner)
            {
                conflict ??= winner;
                continue;
            }
            a.Listeners.Add(l);
            l.Routes.Add((route, hosts));
        }
        if (a.Listeners.Count == 0 && conflict is not null)
        {
            a.RejectReason = Reasons.HostnameConflict;
            a.RejectMessage = $"{conflict.Kind} {conflict.Namespace}/{conflict.Name} already serves an intersecting hostname on the listener "
                + "(an HTTPRoute and a GRPCRoute may not share a hostname on one listener: the oldest, then the first by namespace/name, is accepted)";
        }
        else if (a.Listeners.Count == 0)
        {
            a.RejectReason = Reasons.NoMatchingListenerHostname;
            a.RejectMessage = "no listener hostname intersects the route's hostnames";
        }
        return a;
    }

    /// <summary>
    /// HTTPRoute and GRPCRoute on one listener (CRD <c>spec.hostnames</c>): when a route of the other of the two kinds is
    /// already attached and their hostnames intersect, exactly one is accepted: the oldest, then the first by
    /// <c>{namespace}/{name}</c> (routes are attached in that order, so the one already attached wins). Returns it.
    /// </summary>
    private static Route? CrossKindConflict(ListenerContext l, Route route, IReadOnlyList<string> hosts)
    {
        if (route is not (HttpRoute or GrpcRoute)) return null;
        foreach (var (other, otherHosts) in l.Routes)
        {
            if (other is not (HttpRoute or GrpcRoute) || other.Kind == route.Kind) continue;
            foreach (var h in hosts)
                foreach (var o in otherHosts)
                    if (Hostnames.Covers(h, o) || Hostnames.Covers(o, h)) return other;
        }
        return null;
    }

    /// <summary>Takes back an accepted attachment (the route has a value we cannot serve): no listener serves it.</summary>
    public void Reject(string reason, string message)
    {
        foreach (var l in Listeners) l.Routes.RemoveAll(x => ReferenceEquals(x.Route, Route));
        Listeners.Clear();
        RejectReason = reason;
        RejectMessage = message;
    }

    private static bool KindAllowed(ListenerContext l, string kind)
    {
        foreach (var k in l.SupportedKinds)
            if (k.Kind == kind && k.Group == KindRegistry.GatewayGroup) return true;
        return false;
    }

    private static bool NamespaceAllowed(ListenerContext l, string routeNamespace, Func<string, IReadOnlyDictionary<string, string>> labels)
    {
        var ns = l.Spec.AllowedRoutes?.Namespaces;
        return (ns?.From ?? "Same") switch
        {
            "All" => true,
            "Same" => routeNamespace == l.OwnerNamespace,
            "Selector" => ns!.Selector is { } sel && sel.Matches(labels(routeNamespace)),
            _ => false,
        };
    }
}
