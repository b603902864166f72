using Causeway.Model.Objects;
using CsCheck;

namespace Causeway.Translation.Tests;

/// <summary>
/// Generates small random worlds: GatewayClasses, Gateways, ListenerSets, routes of every kind, Services, EndpointSlices,
/// Secrets and ReferenceGrants, with structurally valid but often nonsensical fields (bogus protocols, missing parents and
/// backends, odd ports, wildcard hostnames, bad regexes, every filter type).
/// </summary>
internal static class RandomWorld
{
    private static readonly string[] Namespaces = ["test", "apps", "other"];
    private static readonly string[] GatewayNames = ["gw", "gw2", "missing"];
    private static readonly string[] ServiceNames = ["web", "api", "udp", "missing"];
    private static readonly string[] Protocols = ["HTTP", "HTTPS", "TLS", "TCP", "UDP", "SCTP", "bogus.example.com/X", ""];
    private static readonly string?[] Hostnames = [null, "a.example.com", "*.example.com", "*.a.example.com", "b.example.com", "*", "EXAMPLE.com", "x.y.z.example.org"];
    private static readonly int[] Ports = [80, 443, 6000, 8080, 0, 1, 65535, 70000, -1];
    private static readonly string[] ListenerNames = ["http", "https", "tcp", "udp", "tls", "dup"];
    private static readonly string?[] PathTypes = [null, "Exact", "PathPrefix", "RegularExpression", "Bogus"];
    private static readonly string[] Paths = ["/", "/a", "/a/", "/a/b", "", "(", "[a-z]+", "//", "/a/b/c/"];
    private static readonly string[] FilterTypes = ["RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite", "RequestMirror", "CORS", "ExtensionRef", "Unknown"];

    public static readonly Gen<KubeObject[]> Gen = CsCheck.Gen.Int[0, int.MaxValue].Select(Build);

    private static KubeObject[] Build(int seed)
    {
        var r = new Random(seed);
        T Pick<T>(IReadOnlyList<T> xs) => xs[r.Next(xs.Count)];
        bool Coin(int percent = 50) => r.Next(100) < percent;
        var objects = new List<KubeObject>
        {
            new GatewayClass { ApiVersion = "gateway.networking.k8s.io/v1", Kind = "GatewayClass", Metadata = Meta("eg", null), Spec = new() { ControllerName = Coin(90) ? TranslatorOptions.EnvoyGatewayControllerName : "example.com/other" } },
        };
        foreach (var ns in Namespaces)
            objects.Add(new Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = Meta(ns, null) with { Labels = new Dictionary<string, string> { ["env"] = Coin() ? "prod" : "dev" } } });

        foreach (var gwName in GatewayNames.Take(r.Next(1, 3)))
        {
            var listeners = new List<Listener>();
            for (var i = r.Next(0, 5); i > 0; i--)
            {
                var protocol = Coin() ? "HTTP" : Pick(Protocols); // biased towards attachable listeners
                listeners.Add(new Listener
                {
                    Name = Pick(ListenerNames),
                    Port = Coin() ? 80 : Pick(Ports),
                    Protocol = protocol,
                    Hostname = Pick(Hostnames),
                    Tls = Coin(60) ? new GatewayTlsListenerConfig
                    {
                        Mode = Pick(new[] { null, "Terminate", "Passthrough", "Bogus" }),
                        CertificateRefs = Coin(80) ? [new SecretObjectReference { Name = Pick(new[] { "cert", "missing", "bad" }), Namespace = Coin(20) ? "other" : null, Kind = Coin(10) ? "ConfigMap" : null }] : [],
                    } : null,
                    AllowedRoutes = Coin() ? new AllowedRoutes
                    {
                        Namespaces = new RouteNamespaces
                        {
                            From = Pick(new[] { "All", "Same", "Selector", "None", "Bogus" }),
                            Selector = Coin() ? new LabelSelector { MatchLabels = new Dictionary<string, string> { ["env"] = "prod" } } : null,
                        },
                        Kinds = Coin(30) ? [new RouteGroupKind { Kind = Pick(new[] { "HTTPRoute", "TCPRoute", "GRPCRoute", "FooRoute" }) }] : null,
                    } : null,
                });
            }
            objects.Add(new Gateway
            {
                ApiVersion = "gateway.networking.k8s.io/v1",
                Kind = "Gateway",
                Metadata = Meta(gwName, "test"),
                Spec = new GatewaySpec
                {
                    GatewayClassName = Coin(90) ? "eg" : "nope",
                    Listeners = listeners,
                    AllowedListeners = Coin(30) ? new AllowedListeners { Namespaces = new ListenerNamespaces { From = Pick(new[] { "All", "Same", "None" }) } } : null,
                    Addresses = Coin(10) ? [new GatewayAddress { Type = Pick(new[] { "IPAddress", "Hostname", "NamedAddress" }), Value = Pick(new[] { "127.0.0.9", "not-an-ip", "" }) }] : null,
                },
            });
        }
        if (Coin(30))
            objects.Add(new ListenerSet
            {
                ApiVersion = "gateway.networking.k8s.io/v1",
                Kind = "ListenerSet",
                Metadata = Meta("ls", Pick(Namespaces)),
                Spec = new ListenerSetSpec
                {
                    ParentRef = new ParentGatewayReference { Name = Pick(GatewayNames), Namespace = "test" },
                    Listeners = [new Listener { Name = Pick(ListenerNames), Port = Pick(Ports), Protocol = Pick(Protocols), Hostname = Pick(Hostnames) }],
                },
            });

        objects.Add(new Secret { ApiVersion = "v1", Kind = "Secret", Metadata = Meta("bad", "test"), Data = new Dictionary<string, byte[]> { ["tls.crt"] = [1, 2, 3], ["tls.key"] = [] } });
        foreach (var svc in ServiceNames.Where(n => n != "missing"))
        {
            var ns = Coin(80) ? "test" : Pick(Namespaces);
            var ports = Enumerable.Range(0, r.Next(0, 3)).Select(i => new ServicePort
            {
                Name = i == 0 ? "http" : "p" + i,
                Port = Pick(Ports),
                Protocol = Pick(new[] { null, "TCP", "UDP", "SCTP" }),
                TargetPort = Coin() ? new IntOrString(r.Next(1, 70000), null) : new IntOrString(null, "http"),
                AppProtocol = Pick(new[] { null, "kubernetes.io/h2c", "kubernetes.io/ws", "http" }),
            }).ToList();
            objects.Add(new Service { ApiVersion = "v1", Kind = "Service", Metadata = Meta(svc, ns), Spec = new ServiceSpec { Ports = ports } });
            if (Coin(80))
                objects.Add(new EndpointSlice
                {
                    ApiVersion = "discovery.k8s.io/v1",
                    Kind = "EndpointSlice",
                    Metadata = Meta(svc + "-1", ns) with { Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = svc } },
                    Ports = ports.Select(p => new EndpointPort { Name = Coin(80) ? p.Name : "other", Port = r.Next(1, 65536), Protocol = p.Protocol }).ToList(),
                    Endpoints = Enumerable.Range(0, r.Next(0, 3)).Select(i => new Endpoint { Addresses = [$"10.0.0.{i + 1}"], Conditions = new EndpointConditions { Ready = Pick(new bool?[] { null, true, false }) } }).ToList(),
                });
        }
        if (Coin(30))
            objects.Add(new ReferenceGrant
            {
                ApiVersion = "gateway.networking.k8s.io/v1beta1",
                Kind = "ReferenceGrant",
                Metadata = Meta("grant", Pick(Namespaces)),
                Spec = new ReferenceGrantSpec
                {
                    From = [new ReferenceGrantFrom { Group = "gateway.networking.k8s.io", Kind = Pick(new[] { "HTTPRoute", "Gateway", "TCPRoute" }), Namespace = "test" }],
                    To = [new ReferenceGrantTo { Group = "", Kind = Pick(new[] { "Service", "Secret" }) }],
                },
            });

        List<ParentReference> Parents() => Enumerable.Range(0, r.Next(0, 4) switch { 0 => 0, 3 => 2, _ => 1 }).Select(_ => new ParentReference
        {
            Name = Coin(60) ? "gw" : Pick(GatewayNames),
            Namespace = Coin(70) ? "test" : null,
            Kind = Coin(10) ? "ListenerSet" : null,
            SectionName = Coin(40) ? Pick(ListenerNames) : null,
            Port = Coin(20) ? Pick(Ports) : null,
        }).ToList();
        List<string> RouteHostnames() => Enumerable.Range(0, r.Next(0, 3)).Select(_ => Pick(Hostnames) ?? "c.example.com").ToList();
        BackendRef Backend() => new()
        {
            Name = Pick(ServiceNames),
            Namespace = Coin(15) ? Pick(Namespaces) : null,
            Port = Coin(90) ? Pick(Ports) : null,
            Weight = Coin(30) ? r.Next(0, 5) : null,
            Kind = Coin(5) ? "Bucket" : null,
            Group = null,
        };

        for (var i = r.Next(0, 6); i > 0; i--)
        {
            var rules = Enumerable.Range(0, r.Next(0, 4)).Select(_ => new HttpRouteRule
            {
                Matches = Enumerable.Range(0, r.Next(0, 3)).Select(_ => new HttpRouteMatch
                {
                    Path = Coin(80) ? new HttpPathMatch { Type = Pick(PathTypes), Value = Pick(Paths) } : null,
                    Method = Coin(20) ? Pick(new[] { "GET", "post", "BOGUS" }) : null,
                    Headers = Coin(30) ? [new HttpHeaderMatch { Name = "X-H", Value = Pick(Paths), Type = Pick(new[] { null, "Exact", "RegularExpression" }) }] : [],
                    QueryParams = Coin(20) ? [new HttpHeaderMatch { Name = "q", Value = "1" }] : [],
                }).ToList(),
                Filters = Enumerable.Range(0, r.Next(0, 3)).Select(_ => Filter(Pick(FilterTypes), r, Backend)).ToList(),
                BackendRefs = Enumerable.Range(0, r.Next(0, 3)).Select(_ => Backend()).Select(b => new HttpBackendRef
                {
                    Name = b.Name,
                    Namespace = b.Namespace,
                    Port = b.Port,
                    Weight = b.Weight,
                    Kind = b.Kind,
                    Filters = Coin(20) ? [Filter(Pick(FilterTypes), r, Backend)] : [],
                }).ToList(),
                Timeouts = Coin(20) ? new HttpRouteTimeouts { Request = Pick(new[] { "1s", "0s", "10ms", "bogus", "1h" }), BackendRequest = Pick(new[] { null, "500ms" }) } : null,
                Retry = Coin(10) ? new HttpRouteRetry { Attempts = r.Next(0, 5), Codes = [500, 503], Backoff = Pick(new[] { null, "100ms", "x" }) } : null,
            }).ToList();
            objects.Add(new HttpRoute
            {
                ApiVersion = "gateway.networking.k8s.io/v1",
                Kind = "HTTPRoute",
                Metadata = Meta("r" + i, Coin() ? "test" : Pick(Namespaces)) with { CreationTimestamp = Coin() ? new DateTimeOffset(2025, 1, r.Next(1, 3), 0, 0, 0, TimeSpan.Zero) : null },
                Spec = new HttpRouteSpec { ParentRefs = Parents(), Hostnames = RouteHostnames(), Rules = rules },
            });
        }
        for (var i = r.Next(0, 3); i > 0; i--)
        {
            L4Route route = r.Next(3) switch
            {
                0 => new TcpRoute { ApiVersion = "gateway.networking.k8s.io/v1alpha2", Kind = "TCPRoute" },
                1 => new UdpRoute { ApiVersion = "gateway.networking.k8s.io/v1alpha2", Kind = "UDPRoute" },
                _ => new TlsRoute { ApiVersion = "gateway.networking.k8s.io/v1alpha2", Kind = "TLSRoute" },
            };
            objects.Add(route with
            {
                Metadata = Meta("l4-" + i, Pick(Namespaces)),
                Spec = new L4RouteSpec
                {
                    ParentRefs = Parents(),
                    Hostnames = route is TlsRoute ? RouteHostnames() : [],
                    Rules = [new L4RouteRule { BackendRefs = Enumerable.Range(0, r.Next(0, 3)).Select(_ => Backend()).ToList() }],
                },
            });
        }
        if (Coin(30))
            objects.Add(new GrpcRoute
            {
                ApiVersion = "gateway.networking.k8s.io/v1",
                Kind = "GRPCRoute",
                Metadata = Meta("grpc", "test"),
                Spec = new GrpcRouteSpec
                {
                    ParentRefs = Parents(),
                    Hostnames = RouteHostnames(),
                    Rules = [new GrpcRouteRule
                    {
                        Matches = [new GrpcRouteMatch { Method = new GrpcMethodMatch { Type = Pick(new[] { null, "Exact", "RegularExpression" }), Service = Pick(new[] { null, "a.B", "(" }), Method = Pick(new[] { null, "M" }) } }],
                        BackendRefs = [new GrpcBackendRef { Name = Pick(ServiceNames), Port = Pick(Ports) }],
                    }],
                },
            });
        return [.. objects];
    }

    private static HttpRouteFilter Filter(string type, Random r, Func<BackendRef> backend) => type switch
    {
        "RequestHeaderModifier" => new() { Type = type, RequestHeaderModifier = new HttpHeaderFilter { Set = [new HttpHeader { Name = "X-A", Value = "1" }], Remove = ["X-B"] } },
        "ResponseHeaderModifier" => new() { Type = type, ResponseHeaderModifier = new HttpHeaderFilter { Add = [new HttpHeader { Name = "X-C", Value = "2" }] } },
        "RequestRedirect" => new() { Type = type, RequestRedirect = new HttpRequestRedirectFilter { Scheme = r.Next(2) == 0 ? "https" : null, Port = r.Next(2) == 0 ? 8443 : null, StatusCode = r.Next(2) == 0 ? 301 : null, Path = r.Next(2) == 0 ? new HttpPathModifier { Type = "ReplacePrefixMatch", ReplacePrefixMatch = "/x" } : null } },
        "URLRewrite" => new() { Type = type, UrlRewrite = new HttpUrlRewriteFilter { Hostname = "h.example.com", Path = new HttpPathModifier { Type = r.Next(2) == 0 ? "ReplaceFullPath" : "Bogus", ReplaceFullPath = "/y" } } },
        "RequestMirror" => new() { Type = type, RequestMirror = new HttpRequestMirrorFilter { BackendRef = backend(), Percent = r.Next(2) == 0 ? r.Next(0, 101) : null, Fraction = r.Next(3) == 0 ? new Fraction { Numerator = r.Next(0, 5), Denominator = r.Next(0, 5) } : null } },
        "CORS" => new() { Type = type, Cors = new HttpCorsFilter { AllowOrigins = ["*"], MaxAge = r.Next(2) == 0 ? r.Next(-5, 1000) : null } },
        "ExtensionRef" => new() { Type = type, ExtensionRef = new LocalObjectReference { Group = "example.com", Kind = "Magic", Name = "m" } },
        _ => new() { Type = type },
    };

    private static ObjectMeta Meta(string name, string? ns) => new() { Name = name, Namespace = ns, Generation = 1 };
}
