using System.Collections.Concurrent;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.L4;

/// <summary>
/// One immutable generation of a port's routing (the <see cref="PortIr"/> and its backend lookup) plus the endpoint
/// round-robin cursors of that generation. Swapped as a whole by <see cref="L4Server.Update"/>; a connection keeps the
/// generation it started with.
/// </summary>
internal sealed class L4RouteTable
{
    private readonly Func<string, BackendIr?> _backendLookup;
    private readonly ConcurrentDictionary<string, StrongBox> _cursors = new(StringComparer.Ordinal);

    private readonly Dictionary<L4RouteIr, Dictionary<string, Causeway.DataPlane.L4.Policy.L4BackendPolicy>> _policies = new(ReferenceEqualityComparer.Instance);

    /// <param name="state">Where the policies' state outlives this generation (null: a throwaway store).</param>
    public L4RouteTable(PortIr port, Func<string, BackendIr?> backendLookup, TlsCertificateIr? backendClientCertificate = null, State.StateStore? state = null)
    {
        Port = port;
        _backendLookup = backendLookup;
        BackendClientCertificate = backendClientCertificate;
        foreach (var listener in port.Listeners)
            foreach (var route in listener.L4Routes)
            {
                if (route.BackendTraffic is not { } ir || _policies.ContainsKey(route)) continue;
                var perBackend = new Dictionary<string, Causeway.DataPlane.L4.Policy.L4BackendPolicy>(StringComparer.Ordinal);
                foreach (var b in route.Backends)
                    if (b.BackendId is { } id && !perBackend.ContainsKey(id) && backendLookup(id) is { } backend)
                        perBackend[id] = Causeway.DataPlane.L4.Policy.L4BackendPolicy.Create(ir, route, backend, port.Protocol == PortProtocol.Udp, state ?? new State.StateStore());
                _policies[route] = perBackend;
            }
    }

    /// <summary>The compiled BackendTrafficPolicy of <paramref name="route"/> towards <paramref name="backend"/>, or null (none attached).</summary>
    public Causeway.DataPlane.L4.Policy.L4BackendPolicy? Policy(L4RouteIr route, BackendIr backend) =>
        _policies.TryGetValue(route, out var perBackend) ? perBackend.GetValueOrDefault(backend.Id) : null;

    public PortIr Port { get; }

    /// <summary>The Gateway's custom access log (EnvoyProxy), set by every apply; null: the default log.</summary>
    public Telemetry.AccessLog.GatewayAccessLog? AccessLog { get; set; }

    /// <summary>The Gateway's client certificate presented when this port originates TLS to a backend (spec.tls.backend).</summary>
    public TlsCertificateIr? BackendClientCertificate { get; }

    /// <summary>TCP/UDP: the first route of the first listener that has one (the translator orders them oldest first).</summary>
    public L4RouteIr? FirstRoute()
    {
        foreach (var listener in Port.Listeners)
            if (listener.L4Routes.Count > 0) return listener.L4Routes[0];
        return null;
    }

    /// <summary>
    /// TLS: the listener for <paramref name="sni"/> (exact hostname over longer wildcard over none), then the route of
    /// that listener whose hostnames match best (exact over wildcard over "any"). Null when nothing matches.
    /// </summary>
    public (ListenerIr Listener, L4RouteIr Route)? MatchTls(string? sni)
    {
        ListenerIr? best = null;
        var bestScore = HostnameMatcher.NoMatch;
        foreach (var listener in Port.Listeners)
        {
            var score = listener.Hostname is null ? 0 : HostnameMatcher.Score(listener.Hostname, sni);
            if (score > bestScore) { best = listener; bestScore = score; }
        }
        if (best is null) return null;

        L4RouteIr? route = null;
        var routeScore = HostnameMatcher.NoMatch;
        foreach (var candidate in best.L4Routes)
        {
            var score = HostnameMatcher.NoMatch;
            if (candidate.Hostnames.Count == 0) score = 0;
            else
                foreach (var h in candidate.Hostnames)
                    score = Math.Max(score, HostnameMatcher.Score(h, sni));
            if (score > routeScore) { route = candidate; routeScore = score; }
        }
        return route is null ? null : (best, route);
    }

    /// <summary>
    /// Picks a backend by weight. Null (refuse) when the weights sum to zero, the drawn share is an invalid reference,
    /// the backend is unknown, or it has no ready endpoints.
    /// </summary>
    public BackendIr? ChooseBackend(L4RouteIr route, out string? refusal)
    {
        long total = 0;
        foreach (var b in route.Backends) total += Math.Max(0, b.Weight);
        if (total == 0) { refusal = "no backend with a positive weight"; return null; }

        var draw = total == 1 ? 0 : Random.Shared.NextInt64(total);
        WeightedBackendIr? chosen = null;
        foreach (var b in route.Backends)
        {
            var w = Math.Max(0, b.Weight);
            if (draw < w) { chosen = b; break; }
            draw -= w;
        }
        if (chosen?.BackendId is not { } id) { refusal = "invalid backend reference"; return null; }
        var backend = _backendLookup(id);
        if (backend is null) { refusal = "unknown backend " + id; return null; }
        if (backend.Endpoints.Count == 0) { refusal = "backend " + id + " has no ready endpoints"; return null; }
        refusal = null;
        return backend;
    }

    /// <summary>Round-robin over the backend's endpoints (per generation).</summary>
    public EndpointIr NextEndpoint(BackendIr backend)
    {
        var endpoints = backend.Endpoints;
        if (endpoints.Count == 1) return endpoints[0];
        var cursor = _cursors.GetOrAdd(backend.Id, static _ => new StrongBox());
        var n = (uint)Interlocked.Increment(ref cursor.Value);
        return endpoints[(int)((n - 1) % (uint)endpoints.Count)];
    }

    private sealed class StrongBox
    {
        public int Value;
    }
}
