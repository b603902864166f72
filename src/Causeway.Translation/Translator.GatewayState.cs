using Causeway.Model.Loading;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Translation.Ir;

namespace Causeway.Translation;

public static partial class Translator
{
    private sealed partial class Run
    {
        /// <summary>Per-Gateway state while translating.</summary>
        private sealed class GatewayState(Gateway gateway, string? classProblem)
        {
            private readonly Dictionary<ObjectKey, (List<CompiledMatch> Matches, List<BackendProblem> Problems, List<L4RouteIr>? L4)> _compiled = [];

            public Gateway Gateway { get; } = gateway;
            public string? ClassProblem { get; } = classProblem;
            public string? InvalidParameters { get; set; }
            public string Key => $"{Gateway.Namespace}/{Gateway.Name}";
            public List<ListenerContext> Listeners { get; } = [];
            public List<(ListenerSet Set, bool Allowed)> ListenerSets { get; } = [];
            public bool Accepted => ClassProblem is null && InvalidParameters is null && (Listeners.Count == 0 || Listeners.Any(l => l.ListenerSet is null && l.Accepted) || Gateway.Spec.Listeners.Count == 0);

            public List<BackendProblem> Problems(Run run, Route route) => Compile(run, route).Problems;

            private (List<CompiledMatch> Matches, List<BackendProblem> Problems, List<L4RouteIr>? L4) Compile(Run run, Route route)
            {
                if (_compiled.TryGetValue(route.Key, out var done)) return done;
                var compiler = new HttpRouteCompiler(run._backends, Gateway);
                List<CompiledMatch> matches = [];
                List<L4RouteIr>? l4 = null;
                switch (route)
                {
                    case HttpRoute h: matches = compiler.Compile(h); break;
                    case GrpcRoute gr: matches = compiler.Compile(gr); break;
                    case L4Route lr: l4 = [L4Compiler.Compile(run._backends, lr, Gateway, compiler.Problems)]; break;
                }
                return _compiled[route.Key] = (matches, compiler.Problems, l4);
            }

            public GatewayIr? Ir(Run run)
            {
                if (!Accepted) return null;
                var backendIds = new List<string>();
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
                    foreach (var l in group.OrderByDescending(l => Hostnames.Specificity(l.Spec.Hostname ?? "*")).ThenBy(l => l.Spec.Hostname, StringComparer.Ordinal))
                    {
                        if (l.ResolvedRefsReason is not null && protocol is PortProtocol.Https or PortProtocol.Tls && l.Certificates.Count == 0)
                            continue; // nothing to terminate with: the listener is not programmed
                        HttpRouteTableIr? table = null;
                        var l4 = new List<L4RouteIr>();
                        var routes = l.Routes
                            .OrderBy(r => r.Route.Metadata.CreationTimestamp ?? DateTimeOffset.MaxValue)
                            .ThenBy(r => r.Route.Namespace, StringComparer.Ordinal).ThenBy(r => r.Route.Name, StringComparer.Ordinal);
                        if (protocol is PortProtocol.Http or PortProtocol.Https)
                        {
                            var entries = new List<(CompiledMatch, string)>();
                            foreach (var (route, hosts) in routes)
                                foreach (var m in Compile(run, route).Matches)
                                    foreach (var h in hosts) entries.Add((m, h));
                            table = RouteTableBuilder.Build(entries);
                            backendIds.AddRange(entries.SelectMany(e => BackendIds(e.Item1.Match.Rule)));
                        }
                        else
                        {
                            foreach (var (route, hosts) in routes)
                                foreach (var r in Compile(run, route).L4 ?? [])
                                {
                                    l4.Add(r with { Hostnames = new(hosts.Where(h => h != "*")) });
                                    backendIds.AddRange(r.Backends.Where(b => b.BackendId is not null).Select(b => b.BackendId!));
                                }
                        }
                        listenerIrs.Add(new ListenerIr
                        {
                            Name = l.IrName,
                            Hostname = l.Spec.Hostname?.ToLowerInvariant(),
                            Certificates = new(l.Certificates),
                            TlsPassthrough = protocol == PortProtocol.Tls && l.Spec.Tls?.Mode == "Passthrough",
                            ClientValidation = l.ClientValidation,
                            Http = table,
                            L4Routes = new(l4),
                        });
                    }
                    if (listenerIrs.Count > 0)
                        ports.Add(new PortIr { Port = group.Key.Port, Protocol = protocol, Listeners = new(listenerIrs) });
                }
                var addresses = run.o.AssignedAddresses.TryGetValue(Key, out var assigned) ? assigned
                    : [.. (Gateway.Spec.Addresses ?? []).Where(a => (a.Type ?? "IPAddress") == "IPAddress" && System.Net.IPAddress.TryParse(a.Value, out _)).Select(a => a.Value!)];
                return new GatewayIr
                {
                    Name = Key,
                    Addresses = new(addresses),
                    Ports = new(ports),
                    Backends = run._backends.Build(backendIds),
                    BackendClientCertificate = BackendClientCertificate(run),
                };
            }

            private TlsCertificateIr? BackendClientCertificate(Run run) => run.BackendClientCertificate(Gateway).Cert;

            private static IEnumerable<string> BackendIds(HttpRuleIr rule) =>
                rule.Backends.Where(b => b.BackendId is not null).Select(b => b.BackendId!)
                    .Concat(rule.Filters.Concat(rule.Backends.SelectMany(b => b.Filters)).Where(f => f.Mirror is not null).Select(f => f.Mirror!.BackendId));
        }
    }
}
