using System.Text;
using Causeway.Model;
using Causeway.Model.Loading;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Translation.Gateways;
using Causeway.Translation.Ir;
using Causeway.Translation.Status;

namespace Causeway.Translation.Routes;

/// <summary>A backendRef that did not resolve: the ResolvedRefs reason and a message naming the field.</summary>
internal sealed record BackendProblem(string Reason, string Message);

/// <summary>
/// Resolves backendRefs to backends keyed by Service and port (shared by every route that uses them), with their
/// ready endpoints and BackendTLSPolicy. One resolver per translation: backends are computed once.
/// </summary>
internal sealed class BackendResolver(ResourceSnapshot s)
{
    private readonly Dictionary<string, BackendIr> _backends = new(StringComparer.Ordinal);
    private readonly EnvoyBackends _envoyBackends = new(s);

    /// <summary>Envoy Gateway HTTPRouteFilters named by ExtensionRef filters.</summary>
    public EnvoyRouteFilters RouteFilters { get; } = new(s);

    /// <summary>Envoy Gateway Backends: validity (for their status) and their backends.</summary>
    public EnvoyBackends EnvoyBackends => _envoyBackends;
    private readonly Dictionary<(string Ns, string Name, int Port, BackendProtocol Protocol), string> _resolved = [];
    private readonly Dictionary<(string Ns, string Name), List<(BackendTlsPolicy Policy, PolicyTargetReference Target)>> _policiesByService =
        s.BackendTlsPolicies
            .SelectMany(p => p.Spec.TargetRefs.Where(t => t.Group == "" && t.Kind == "Service").Select(t => (Policy: p, Target: t)))
            .GroupBy(x => (x.Policy.Namespace, x.Target.Name))
            .ToDictionary(g => g.Key, g => g.ToList());

    /// <summary>BackendTLSPolicies that applied to some backend, with the Gateways (ancestors) that used them.</summary>
    public Dictionary<ObjectKey, SortedSet<string>> PolicyAncestors { get; } = [];

    /// <summary>Gateways (<c>ns/name</c>) whose routes reference each Service (namespace, name), for policy ancestors.</summary>
    public Dictionary<(string Ns, string Name), SortedSet<string>> ServiceUsers { get; } = [];

    private readonly Dictionary<Gateway, string> _gatewayKeys = new(ReferenceEqualityComparer.Instance);

    public BackendIr? Get(string id) => _backends.GetValueOrDefault(id);

    public (string? Id, BackendProblem? Problem) Resolve(Route route, FieldText field, BackendRef r, BackendProtocol defaultProtocol, Gateway gateway) =>
        Resolve(KindRegistry.GatewayGroup, route.Kind, route.Namespace, field, r, defaultProtocol, gateway);

    /// <summary>
    /// A backendRef of an Envoy Gateway policy (the external authorization service of a SecurityPolicy), resolved as a
    /// route's is from the policy's namespace; compiled once per policy, so no Gateway is recorded as its user.
    /// </summary>
    public (string? Id, BackendProblem? Problem) ResolveForPolicy(string fromKind, string fromNamespace, FieldText field, BackendRef r, BackendProtocol defaultProtocol) =>
        Resolve(KindRegistry.EnvoyGroup, fromKind, fromNamespace, field, r, defaultProtocol, null);

    private (string? Id, BackendProblem? Problem) Resolve(string fromGroup, string fromKind, string fromNamespace, FieldText field, BackendRef r,
        BackendProtocol defaultProtocol, Gateway? gateway)
    {
        var group = r.Group ?? "";
        var kind = r.Kind ?? "Service";
        if (group == KindRegistry.EnvoyGroup && kind == "Backend") return ResolveEnvoyBackend(fromGroup, fromKind, fromNamespace, field, r, defaultProtocol);
        if (group != "" || kind != "Service")
            return (null, new BackendProblem(Reasons.InvalidKind, $"{field}: unsupported backend kind {(group.Length == 0 ? "core" : group)}/{kind}"));
        var ns = r.Namespace ?? fromNamespace;
        if (!ReferenceGrants.Allows(s, fromGroup, fromKind, fromNamespace, "", "Service", ns, r.Name))
            return (null, new BackendProblem(Reasons.RefNotPermitted, $"{field}: Service {ns}/{r.Name} is in another namespace and no ReferenceGrant allows it"));
        var svc = s.Get<Service>("Service", ns, r.Name);
        if (svc is null)
            return (null, new BackendProblem(Reasons.BackendNotFound, $"{field}: Service {ns}/{r.Name} not found"));
        if (gateway is not null)
        {
            if (!ServiceUsers.TryGetValue((ns, r.Name), out var users)) ServiceUsers[(ns, r.Name)] = users = new(StringComparer.Ordinal);
            if (!_gatewayKeys.TryGetValue(gateway, out var gatewayKey)) _gatewayKeys[gateway] = gatewayKey = gateway.Namespace + "/" + gateway.Name;
            users.Add(gatewayKey);
        }
        if (r.Port is not { } port)
            return (null, new BackendProblem(Reasons.BackendNotFound, $"{field}: port is required for a Service backend"));
        if (_resolved.TryGetValue((ns, r.Name, port, defaultProtocol), out var known))
        {
            if (_backends[known].Tls is not null && gateway is not null) NoteTlsAncestor(svc, port, gateway);
            return (known, null);
        }
        var udp = defaultProtocol == BackendProtocol.Datagram;
        var wantProtocol = udp ? "UDP" : "TCP";
        var sp = svc.Spec.Ports.FirstOrDefault(p => p.Port == port && (p.Protocol ?? "TCP") == wantProtocol);
        if (sp is null)
            return (null, new BackendProblem(Reasons.BackendNotFound, $"{field}: Service {ns}/{r.Name} has no {wantProtocol} port {port}"));

        var protocol = defaultProtocol;
        if (defaultProtocol is BackendProtocol.Http1)
            protocol = sp.AppProtocol switch
            {
                "kubernetes.io/h2c" => BackendProtocol.H2c,
                "kubernetes.io/ws" or "kubernetes.io/wss" => BackendProtocol.WebSocket,
                _ => BackendProtocol.Http1,
            };
        var tls = BackendTls(svc, sp, gateway);
        var id = $"{ns}/{r.Name}:{port}" + protocol switch
        {
            BackendProtocol.H2c => "/h2c",
            BackendProtocol.WebSocket => "/ws",
            BackendProtocol.Stream => "/tcp",
            BackendProtocol.Datagram => "/udp",
            _ => "",
        };
        if (!_backends.ContainsKey(id))
            _backends[id] = new BackendIr { Id = id, Protocol = protocol, Endpoints = Endpoints(svc, sp), Tls = tls };
        _resolved[(ns, r.Name, port, defaultProtocol)] = id;
        return (id, null);
    }

    private (string? Id, BackendProblem? Problem) ResolveEnvoyBackend(string fromGroup, string fromKind, string fromNamespace, FieldText field, BackendRef r,
        BackendProtocol defaultProtocol)
    {
        var ns = r.Namespace ?? fromNamespace;
        if (!ReferenceGrants.Allows(s, fromGroup, fromKind, fromNamespace, KindRegistry.EnvoyGroup, "Backend", ns, r.Name))
            return (null, new BackendProblem(Reasons.RefNotPermitted, $"{field}: Backend {ns}/{r.Name} is in another namespace and no ReferenceGrant allows it"));
        var backend = s.Get<Model.Objects.EnvoyGateway.Backend>("Backend", ns, r.Name);
        if (backend is null)
            return (null, new BackendProblem(Reasons.BackendNotFound, $"{field}: Backend {ns}/{r.Name} not found"));
        if (_envoyBackends.Problem(backend) is { } problem)
            return (null, new BackendProblem(Reasons.BackendNotFound, $"{field}: Backend {ns}/{r.Name} is invalid: {problem}"));
        var ir = _envoyBackends.Build(backend, defaultProtocol);
        _backends.TryAdd(ir.Id, ir);
        return (ir.Id, null);
    }

    /// <summary>
    /// Envoy Gateway Backend <c>fallback</c>: a rule's fallback backends get traffic only when none of its other
    /// backends has an endpoint; otherwise they get none (weight 0), and the others none while the fallbacks serve.
    /// </summary>
    public void ApplyFallback(List<WeightedBackendIr> weighted)
    {
        var anyFallback = false;
        var primaryServes = false;
        foreach (var w in weighted)
        {
            if (w.BackendId is null || !_backends.TryGetValue(w.BackendId, out var b)) continue;
            if (b.Fallback) anyFallback = true;
            else if (b.Endpoints.Count > 0 && w.Weight > 0) primaryServes = true;
        }
        if (!anyFallback) return;
        for (var i = 0; i < weighted.Count; i++)
        {
            var w = weighted[i];
            if (w.BackendId is null || !_backends.TryGetValue(w.BackendId, out var b)) continue;
            if (b.Fallback == primaryServes) weighted[i] = w with { Weight = 0 };
        }
    }

    private readonly Dictionary<(string, string, int), ObjectKey> _tlsPolicyOf = [];

    private void NoteTlsAncestor(Service svc, int port, Gateway gateway)
    {
        if (_tlsPolicyOf.TryGetValue((svc.Namespace, svc.Name, port), out var key))
            PolicyAncestors[key].Add($"{gateway.Namespace}/{gateway.Name}");
    }

    public EquatableArray<BackendIr> Build(IEnumerable<string> ids)
    {
        var sorted = new List<string>(ids is HashSet<string> set ? set : ids.Distinct());
        sorted.Sort(StringComparer.Ordinal);
        var result = new BackendIr[sorted.Count];
        for (var i = 0; i < result.Length; i++) result[i] = _backends[sorted[i]];
        return new(System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(result)); // the array is not shared: no copy
    }

    private EquatableArray<EndpointIr> Endpoints(Service svc, ServicePort sp) => EndpointsFor(s, svc, sp);

    /// <summary>
    /// The endpoints of a Service port, from every EndpointSlice labelled with its name (managed by the EndpointSlice
    /// controller or by hand, any <c>clusterIP</c>, IPv4 and IPv6 slices alike; the slice's port by name and protocol).
    /// As EndpointConditions define them and kube-proxy serves them: the ready endpoints (<c>ready</c> unset counts as
    /// ready); only when a port has none, the ones still <c>serving</c> while <c>terminating</c>, so that a Service whose
    /// pods all shut down keeps answering until they stop. Addresses of <c>FQDN</c> slices are names the data plane
    /// resolves.
    /// </summary>
    internal static EquatableArray<EndpointIr> EndpointsFor(ResourceSnapshot s, Service svc, ServicePort sp)
    {
        var ready = new SortedSet<(string, int, EndpointKind)>();
        SortedSet<(string, int, EndpointKind)>? terminating = null;
        if (s.EndpointSlicesByService.TryGetValue((svc.Namespace, svc.Name), out var slices))
        {
            foreach (var slice in slices)
            {
                var ep = slice.Ports.FirstOrDefault(p => (p.Name ?? "") == (sp.Name ?? "") && (p.Protocol ?? "TCP") == (sp.Protocol ?? "TCP"));
                int? portNumber = ep?.Port;
                // No ports, or a matching port without a number: "all ports" (the Service's numeric targetPort).
                if (portNumber is null && (slice.Ports.Count == 0 || ep is not null) && sp.TargetPort?.IntValue is { } tp) portNumber = tp;
                if (portNumber is not { } number || number is <= 0 or > 65535) continue;
                var kind = string.Equals(slice.AddressType, "FQDN", StringComparison.OrdinalIgnoreCase) ? EndpointKind.Fqdn : EndpointKind.Ip;
                foreach (var e in slice.Endpoints)
                {
                    var c = e.Conditions;
                    SortedSet<(string, int, EndpointKind)>? target;
                    if (c?.Ready ?? true) target = ready;
                    else if (c.Terminating == true && (c.Serving ?? false)) target = terminating ??= [];
                    else continue;
                    foreach (var a in e.Addresses)
                        if (Usable(a, kind)) target.Add((kind == EndpointKind.Fqdn ? a.ToLowerInvariant() : a, number, kind));
                }
            }
        }
        var chosen = ready.Count > 0 || terminating is null ? ready : terminating;
        return new EquatableArray<EndpointIr>(chosen.Select(x => new EndpointIr(x.Item1, x.Item2) { Kind = x.Item3 }));
    }

    /// <summary>An address the data plane can connect to: an IP literal (IPv4 or IPv6 slices), or a DNS name (FQDN slices).</summary>
    private static bool Usable(string address, EndpointKind kind) =>
        kind == EndpointKind.Fqdn
            ? address.Length is > 0 and <= 253 && Uri.CheckHostName(address) == UriHostNameType.Dns
            : System.Net.IPAddress.TryParse(address, out _);

    /// <summary>
    /// BackendTLSPolicy precedence (CRD <c>spec.targetRefs</c>): among the valid policies that select the same Service and
    /// the same <c>sectionName</c> (none counts as a value of its own), the oldest by creationTimestamp wins, then the
    /// first by <c>{namespace}/{name}</c>; every other one does not take precedence for that target and is
    /// <c>Accepted=False</c>/<c>Conflicted</c>. A policy naming a port and one naming the whole Service do not conflict:
    /// the port's policy applies to that port, the Service's to its other ports. Invalid policies (no usable CA) take no
    /// part: they are reported as invalid and never hide a valid one; a target only invalid policies name gets TLS that
    /// trusts nothing, so its connections fail (5xx) instead of going out in cleartext.
    /// </summary>
    private Dictionary<(string Ns, string Service, string? Section), (BackendTlsPolicy Policy, BackendTlsIr Tls)> ResolveTlsPrecedence()
    {
        var winners = new Dictionary<(string Ns, string Service, string? Section), (BackendTlsPolicy Policy, BackendTlsIr Tls)>();
        var groups = _policiesByService
            .SelectMany(kv => kv.Value.Select(x => (Key: (kv.Key.Ns, kv.Key.Name, Section: string.IsNullOrEmpty(x.Target.SectionName) ? null : x.Target.SectionName), x.Policy, x.Target)))
            .GroupBy(x => x.Key);
        foreach (var g in groups)
        {
            var ordered = g
                .Select(x => (x.Policy, x.Target, Tls: TlsOf(x.Policy)))
                .Where(x => x.Tls is not null)
                .DistinctBy(x => x.Policy.Key)
                .OrderBy(x => x.Policy.Metadata.CreationTimestamp ?? DateTimeOffset.MaxValue)
                .ThenBy(x => x.Policy.Namespace + "/" + x.Policy.Name, StringComparer.Ordinal)
                .ToList();
            if (ordered.Count == 0)
            {
                // Only invalid policies name this target: connections to it MUST fail (CRD spec.validation
                // .caCertificateRefs: "the client MUST receive an HTTP 5xx"), never go in cleartext. TLS with an empty
                // trust bundle trusts no certificate, so every handshake fails and the client gets a 5xx.
                var invalid = g.Select(x => x.Policy).DistinctBy(p => p.Key)
                    .OrderBy(p => p.Metadata.CreationTimestamp ?? DateTimeOffset.MaxValue)
                    .ThenBy(p => p.Namespace + "/" + p.Name, StringComparer.Ordinal)
                    .First();
                winners[g.Key] = (invalid, new BackendTlsIr { Hostname = invalid.Spec.Validation.Hostname, CaBundlePem = "" });
                continue;
            }
            var winner = ordered[0];
            winners[g.Key] = (winner.Policy, winner.Tls!);
            foreach (var loser in ordered.Skip(1))
            {
                if (!TlsPolicyConflicts.TryGetValue(loser.Policy.Key, out var list)) TlsPolicyConflicts[loser.Policy.Key] = list = [];
                list.Add(new TlsPolicyConflict(g.Key.Name, g.Key.Section, winner.Policy.Key));
            }
        }
        return winners;
    }

    private Dictionary<(string Ns, string Service, string? Section), (BackendTlsPolicy Policy, BackendTlsIr Tls)>? _tlsWinners;

    /// <summary>BackendTLSPolicies that lost precedence on some target, with the targets and the policy that won each.</summary>
    public Dictionary<ObjectKey, List<TlsPolicyConflict>> TlsPolicyConflicts { get; } = [];

    /// <summary>Computes precedence now (statuses need the conflicts even when no route uses the Service).</summary>
    public void ResolveTlsPolicies() => _tlsWinners ??= ResolveTlsPrecedence();

    /// <summary>The TLS settings a policy asks for, or null when it is invalid (no usable CA).</summary>
    private BackendTlsIr? TlsOf(BackendTlsPolicy policy)
    {
        var v = policy.Spec.Validation;
        string? ca = null;
        if (v.CaCertificateRefs.Count > 0)
        {
            var pem = new StringBuilder();
            foreach (var r in v.CaCertificateRefs)
            {
                var text = r.Kind switch
                {
                    "ConfigMap" when r.Group == "" => s.Get<ConfigMap>("ConfigMap", policy.Namespace, r.Name)?.Data.GetValueOrDefault("ca.crt"),
                    "Secret" when r.Group == "" => s.Get<Secret>("Secret", policy.Namespace, r.Name)?.Data.GetValueOrDefault("ca.crt") is { } b ? Encoding.UTF8.GetString(b) : null,
                    _ => null,
                };
                if (Certificates.ValidCaBundle(text) is { } ok) pem.AppendLine(ok);
            }
            if (pem.Length == 0) return null; // invalid policy: reported on the policy, does not apply
            ca = pem.ToString();
        }
        else if (v.WellKnownCACertificates != "System")
        {
            return null;
        }
        return new BackendTlsIr
        {
            Hostname = v.Hostname,
            CaBundlePem = ca,
            SubjectAltNames = new(v.SubjectAltNames.Select(n => n.Type == "URI" ? n.Uri ?? "" : n.Hostname ?? "")),
        };
    }

    private BackendTlsIr? BackendTls(Service svc, ServicePort sp, Gateway? gateway)
    {
        ResolveTlsPolicies();
        // The policy naming this port is more specific than the one naming the whole Service.
        if (!(!string.IsNullOrEmpty(sp.Name) && _tlsWinners!.TryGetValue((svc.Namespace, svc.Name, sp.Name), out var chosen))
            && !_tlsWinners!.TryGetValue((svc.Namespace, svc.Name, null), out chosen))
            return null;
        var (policy, tls) = chosen;
        if (gateway is not null)
        {
            if (!PolicyAncestors.TryGetValue(policy.Key, out var set)) PolicyAncestors[policy.Key] = set = [];
            set.Add($"{gateway.Namespace}/{gateway.Name}");
        }
        _tlsPolicyOf[(svc.Namespace, svc.Name, sp.Port)] = policy.Key;
        return tls;
    }
}

/// <summary>A BackendTLSPolicy target (Service, optional port name) on which another policy took precedence.</summary>
internal sealed record TlsPolicyConflict(string Service, string? SectionName, ObjectKey Winner);
