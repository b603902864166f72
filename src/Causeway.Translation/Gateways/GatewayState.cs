using Causeway.Model.Loading;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Translation.Ir;
using Causeway.Translation.Policies;
using Causeway.Translation.Routes;

namespace Causeway.Translation.Gateways;

/// <summary>Per-Gateway state while translating: its listeners and ListenerSets, the routes compiled for it, its IR.</summary>
internal sealed class GatewayState(Gateway gateway, string? classProblem, BackendResolver backends, BackendTrafficPolicies? policies = null, SecurityPolicies? security = null, ClientTrafficPolicies? clientPolicies = null)
{
    private readonly Dictionary<ObjectKey, (List<CompiledMatch> Matches, List<BackendProblem> Problems, List<L4RouteIr>? L4)> _compiled = [];

    public Gateway Gateway { get; } = gateway;
    public string? ClassProblem { get; } = classProblem;
    public string? InvalidParameters { get; set; }
    public string Key => $"{Gateway.Namespace}/{Gateway.Name}";
    public List<ListenerContext> Listeners { get; } = [];
    public List<(ListenerSet Set, bool Allowed)> ListenerSets { get; } = [];

    /// <summary>The Gateway's own listeners (not from a ListenerSet); read once <see cref="Listeners"/> is complete.</summary>
    public List<ListenerContext> OwnListeners => _own ??= Listeners.Where(l => l.ListenerSet is null).ToList();

    private List<ListenerContext>? _own;
    public bool Accepted => ClassProblem is null && InvalidParameters is null && (Listeners.Count == 0 || Listeners.Any(l => l.ListenerSet is null && l.Accepted) || Gateway.Spec.Listeners.Count == 0);

    public List<BackendProblem> Problems(Route route) => Compile(route).Problems;

    private (List<CompiledMatch> Matches, List<BackendProblem> Problems, List<L4RouteIr>? L4) Compile(Route route)
    {
        if (_compiled.TryGetValue(route.Key, out var done)) return done;
        var compiler = new RouteRuleCompiler(backends, Gateway);
        List<CompiledMatch> matches = [];
        List<L4RouteIr>? l4 = null;
        switch (route)
        {
            case HttpRoute h: matches = compiler.Compile(h); break;
            case GrpcRoute gr: matches = compiler.Compile(gr); break;
            case L4Route lr: l4 = [L4Compiler.Compile(backends, lr, Gateway, compiler.Problems)]; break;
        }
        return _compiled[route.Key] = (matches, compiler.Problems, l4);
    }

    /// <summary>The Gateway's IR (null when it is not accepted), given the addresses the runtime assigned and its backend client certificate.</summary>
    public GatewayIr? Ir(System.Collections.Immutable.ImmutableDictionary<string, System.Collections.Immutable.ImmutableArray<string>> assignedAddresses, TlsCertificateIr? backendClientCertificate)
    {
        if (!Accepted) return null;
        var backendIds = new HashSet<string>(StringComparer.Ordinal);
        var dnsRefresh = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var dnsTtl = new HashSet<string>(StringComparer.Ordinal);
        var dnsFamilies = new BackendDnsFamilies();
        var connections = new Dictionary<string, BackendConnectionIr>(StringComparer.Ordinal);
        var proxyHeaders = new BackendProxyHeaders();
        var ports = new List<PortIr>();
        foreach (var group in Listeners.Where(l => l.Accepted).GroupBy(l => (l.Spec.Port, l.IsTransportUdp)).OrderBy(gp => gp.Key.Port).ThenBy(gp => gp.Key.IsTransportUdp))
        {
            var first = group.First();
            var protocol = first.Spec.Protocol switch
            {
                "HTTP" => PortProtocol.Http,
                "HTTPS" => PortProtocol.Https,
                "TLS" => PortProtocol.Tls,
                "TCP" => PortProtocol.Tcp,
                _ => PortProtocol.Udp,
            };
            var listenerIrs = new List<ListenerIr>();
            var clientTraffic = group.Select(l => (l, clientPolicies?.For(l))).ToList();
            foreach (var l in group.OrderByDescending(l => Hostnames.Specificity(l.Spec.Hostname ?? "*")).ThenBy(l => l.Spec.Hostname, StringComparer.Ordinal))
            {
                if (l.ResolvedRefsReason is not null && protocol is PortProtocol.Https or PortProtocol.Tls && l.Certificates.Count == 0)
                    continue; // nothing to terminate with: the listener is not programmed
                HttpRouteTableIr? table = null;
                var l4 = new List<L4RouteIr>();
                var routes = OrderedRoutes(l.Routes);
                if (protocol is PortProtocol.Http or PortProtocol.Https)
                {
                    var entries = new List<(CompiledMatch, string)>();
                    HttpRuleIr? lastRule = null;
                    foreach (var (route, hosts) in routes)
                        foreach (var compiled in Compile(route).Matches)
                        {
                            var m = WithPolicies(l, route, compiled);
                            if (m.Match.Rule.BackendTraffic?.DnsRefreshRate is { } rate)
                                foreach (var b in m.Match.Rule.Backends) DnsRefresh(dnsRefresh, b.BackendId, rate);
                            if (m.Match.Rule.BackendTraffic?.DnsRespectTtl == true)
                                foreach (var b in m.Match.Rule.Backends) if (b.BackendId is not null) dnsTtl.Add(b.BackendId);
                            dnsFamilies.Add(m.Match.Rule.BackendTraffic, m.Match.Rule.Backends.Select(b => b.BackendId));
                            if (m.Match.Rule.BackendTraffic is { } btp && (btp.ConnectTimeout is not null || btp.TcpKeepalive is not null || btp.CircuitBreaker?.MaxRequestsPerConnection is not null
                                || btp.CircuitBreaker?.MaxConnectionsPerEndpoint is not null || btp.ProxyProtocol is not null || btp.ConnectionBufferLimit is not null))
                                foreach (var b in m.Match.Rule.Backends) HttpConnection(connections, b.BackendId, btp);
                            proxyHeaders.Add(m.Match.Rule.BackendTraffic, m.Match.Rule.Backends.Select(b => b.BackendId));
                            foreach (var h in hosts) entries.Add((m, h));
                            if (hosts.Count > 0 && !ReferenceEquals(m.Match.Rule, lastRule)) AddBackendIds(backendIds, lastRule = m.Match.Rule);
                        }
                    table = RouteTableBuilder.Build(entries);
                }
                else
                {
                    foreach (var (route, hosts) in routes)
                        foreach (var r in Compile(route).L4 ?? [])
                        {
                            var served = r with { Hostnames = new(hosts.Where(h => h != "*")) };
                            served = policies is null ? served : policies.ApplyL4(l, route, served);
                            l4.Add(served);
                            if (served.BackendTraffic?.DnsRefreshRate is { } rate)
                                foreach (var b in served.Backends) DnsRefresh(dnsRefresh, b.BackendId, rate);
                            if (served.BackendTraffic?.DnsRespectTtl == true)
                                foreach (var b in served.Backends) if (b.BackendId is not null) dnsTtl.Add(b.BackendId);
                            dnsFamilies.Add(served.BackendTraffic, served.Backends.Select(b => b.BackendId));
                            foreach (var b in r.Backends)
                                if (b.BackendId is not null) backendIds.Add(b.BackendId);
                        }
                }
                var policy = clientTraffic.First(c => ReferenceEquals(c.l, l)).Item2;
                listenerIrs.Add(new ListenerIr
                {
                    Name = l.IrName,
                    Hostname = l.Spec.Hostname?.ToLowerInvariant(),
                    Certificates = new(l.Certificates),
                    TlsPassthrough = protocol == PortProtocol.Tls && l.Spec.Tls?.Mode == "Passthrough",
                    // One validation per listener: a ClientTrafficPolicy's clientValidation, else the Gateway's frontend's.
                    ClientValidation = protocol == PortProtocol.Https ? policy?.ClientValidation ?? l.ClientValidation : l.ClientValidation,
                    Http = table,
                    L4Routes = new(l4),
                    ClientTraffic = policy is null ? null : clientPolicies!.ForListener(policy, l, routes),
                });
            }
            if (listenerIrs.Count > 0)
                ports.Add(new PortIr
                {
                    Port = group.Key.Port,
                    Protocol = protocol,
                    Listeners = new(listenerIrs),
                    Connection = clientPolicies?.ForPort(group.Key.Port, clientTraffic),
                });
        }
        var addresses = assignedAddresses.TryGetValue(Key, out var assigned) ? assigned
            : [.. (Gateway.Spec.Addresses ?? []).Where(a => (a.Type ?? "IPAddress") == "IPAddress" && System.Net.IPAddress.TryParse(a.Value, out _)).Select(a => a.Value!)];
        return new GatewayIr
        {
            Name = Key,
            Addresses = new(addresses),
            Ports = new(ports),
            Backends = WithConnections(dnsFamilies.Apply(WithDnsRefresh(backends.Build(backendIds), dnsRefresh, dnsTtl), (p, w) => policies?.Warn(p, w)), connections,
                proxyHeaders, (p, w) => policies?.Warn(p, w)),
            BackendClientCertificate = backendClientCertificate,
        };
    }

    /// <summary>A policy's <c>dns.dnsRefreshRate</c> reaches a backend: the shortest of them applies.</summary>
    private static void DnsRefresh(Dictionary<string, TimeSpan> rates, string? backendId, TimeSpan rate)
    {
        if (backendId is null) return;
        rates[backendId] = rates.TryGetValue(backendId, out var other) && other < rate ? other : rate;
    }

    /// <summary>Policies' <c>dns.dnsRefreshRate</c> (the shortest) and <c>dns.respectDnsTtl</c> (any) on the DNS-named backends they reach.</summary>
    private static Causeway.Model.EquatableArray<BackendIr> WithDnsRefresh(Causeway.Model.EquatableArray<BackendIr> backends, Dictionary<string, TimeSpan> rates,
        HashSet<string> respectTtl)
    {
        if (rates.Count == 0 && respectTtl.Count == 0) return backends;
        return new([.. backends.Select(b => !b.Endpoints.Any(e => e.Kind == EndpointKind.Fqdn) ? b : b with
        {
            DnsRefreshRate = rates.TryGetValue(b.Id, out var rate) ? rate : b.DnsRefreshRate,
            DnsRespectTtl = respectTtl.Contains(b.Id),
        })]);
    }

    /// <summary>
    /// A policy's connect timeout, keep-alive, requests per connection, connections per endpoint, PROXY header and
    /// buffer limit reach an HTTP backend: its pools are shared by the rules using it, so the shortest timeout, the
    /// first keep-alive and PROXY version (in route order) and the smallest limits apply.
    /// </summary>
    private static void HttpConnection(Dictionary<string, BackendConnectionIr> connections, string? backendId, BackendTrafficPolicyIr policy)
    {
        if (backendId is null) return;
        var current = connections.GetValueOrDefault(backendId) ?? new BackendConnectionIr();
        var timeout = current.ConnectTimeout is { } t && (policy.ConnectTimeout is not { } p || t <= p) ? t : policy.ConnectTimeout;
        var perConnection = current.MaxRequestsPerConnection is { } m && (policy.CircuitBreaker?.MaxRequestsPerConnection is not { } pm || m <= pm)
            ? m : policy.CircuitBreaker?.MaxRequestsPerConnection;
        connections[backendId] = current with
        {
            ConnectTimeout = timeout,
            TcpKeepalive = current.TcpKeepalive ?? policy.TcpKeepalive,
            MaxRequestsPerConnection = perConnection,
            MaxConnectionsPerEndpoint = Smallest(current.MaxConnectionsPerEndpoint, policy.CircuitBreaker?.MaxConnectionsPerEndpoint),
            ProxyProtocol = current.ProxyProtocol ?? policy.ProxyProtocol,
            BufferLimit = Smallest(current.BufferLimit, policy.ConnectionBufferLimit),
        };
    }

    private static long? Smallest(long? a, long? b) => a is { } x && (b is not { } y || x <= y) ? x : b;

    private static Causeway.Model.EquatableArray<BackendIr> WithConnections(Causeway.Model.EquatableArray<BackendIr> backends, Dictionary<string, BackendConnectionIr> connections,
        BackendProxyHeaders proxyHeaders, Action<string, string> warn)
    {
        if (connections.Count == 0) return backends;
        var http = backends.Where(b => connections.ContainsKey(b.Id) && b.Protocol is not (BackendProtocol.Stream or BackendProtocol.Datagram)).Select(b => b.Id);
        proxyHeaders.Warn(http, warn);
        return new([.. backends.Select(b => connections.TryGetValue(b.Id, out var c) && b.Protocol is not (BackendProtocol.Stream or BackendProtocol.Datagram) ? b with { Connection = c } : b)]);
    }

    /// <summary>The match as served through listener <paramref name="l"/>: its rule with the effective policies applied.</summary>
    private CompiledMatch WithPolicies(ListenerContext l, Route route, CompiledMatch m)
    {
        var rule = m.Match.Rule;
        if (policies is not null) rule = policies.Apply(l, route, m.RuleIndex, rule);
        if (security is not null) rule = security.Apply(l, route, m.RuleIndex, rule);
        return ReferenceEquals(rule, m.Match.Rule) ? m : m with { Match = m.Match with { Rule = rule } };
    }

    /// <summary>The backends a rule uses: its weighted backends and request mirrors (its own and its backends').</summary>
    private static void AddBackendIds(HashSet<string> ids, HttpRuleIr rule)
    {
        foreach (var b in rule.Backends)
        {
            if (b.BackendId is not null) ids.Add(b.BackendId);
            foreach (var f in b.Filters)
                if (f.Mirror is not null) ids.Add(f.Mirror.BackendId);
        }
        foreach (var f in rule.Filters)
            if (f.Mirror is not null) ids.Add(f.Mirror.BackendId);
        if (rule.Security?.ExtAuth is { BackendId: { } authBackend }) ids.Add(authBackend);
    }

    /// <summary>A listener's routes, oldest first, then by namespace and name (stable: ties keep attachment order).</summary>
    private static List<(Route Route, IReadOnlyList<string> Hostnames)> OrderedRoutes(List<(Route Route, IReadOnlyList<string> Hostnames)> routes)
    {
        var indexed = new (Route Route, IReadOnlyList<string> Hostnames, int Index)[routes.Count];
        for (var i = 0; i < indexed.Length; i++) indexed[i] = (routes[i].Route, routes[i].Hostnames, i);
        Array.Sort(indexed, static (x, y) =>
        {
            var c = (x.Route.Metadata.CreationTimestamp ?? DateTimeOffset.MaxValue).CompareTo(y.Route.Metadata.CreationTimestamp ?? DateTimeOffset.MaxValue);
            if (c != 0) return c;
            c = string.CompareOrdinal(x.Route.Namespace, y.Route.Namespace);
            if (c != 0) return c;
            c = string.CompareOrdinal(x.Route.Name, y.Route.Name);
            return c != 0 ? c : x.Index.CompareTo(y.Index);
        });
        var result = new List<(Route, IReadOnlyList<string>)>(indexed.Length);
        foreach (var (route, hosts, _) in indexed) result.Add((route, hosts));
        return result;
    }
}
