using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Tests.Support;

/// <summary>Concise builders for hand-written IR.</summary>
public static class Ir
{
    public static BackendIr Backend(string id, EchoBackend? echo, BackendProtocol protocol = BackendProtocol.Http1) => new()
    {
        Id = id,
        Protocol = protocol,
        Endpoints = echo is null ? Array.Empty<EndpointIr>() : [new EndpointIr("127.0.0.1", echo.Port)],
    };

    public static BackendIr Backend(string id, params int[] ports) => new()
    {
        Id = id,
        Endpoints = ports.Select(p => new EndpointIr("127.0.0.1", p)).ToArray(),
    };

    public static HttpRuleIr Rule(string name, params (string? Id, int Weight)[] backends) => new()
    {
        Name = name,
        Backends = backends.Select(b => new WeightedBackendIr { BackendId = b.Id, Weight = b.Weight }).ToArray(),
    };

    public static HttpRuleIr To(string backendId, string name = "rule") => Rule(name, (backendId, 1));

    public static HttpMatchIr Prefix(string path, HttpRuleIr rule) => new() { PathKind = PathMatchKind.Prefix, PathValue = path, Rule = rule };

    public static HttpMatchIr Exact(string path, HttpRuleIr rule) => new() { PathKind = PathMatchKind.Exact, PathValue = path, Rule = rule };

    public static HttpMatchIr Regex(string path, HttpRuleIr rule) => new() { PathKind = PathMatchKind.Regex, PathValue = path, Rule = rule };

    public static VirtualHostIr Host(string hostname, params HttpMatchIr[] matches) => new() { Hostname = hostname, Matches = matches };

    public static ListenerIr Listener(string name, string? hostname, params VirtualHostIr[] hosts) => new()
    {
        Name = name,
        Hostname = hostname,
        Http = new HttpRouteTableIr { VirtualHosts = hosts },
    };

    public static PortIr Port(PortProtocol protocol, int port, params ListenerIr[] listeners) => new()
    {
        Port = port,
        Protocol = protocol,
        Listeners = listeners,
    };

    public static PortIr HttpPort(params VirtualHostIr[] hosts) => Port(PortProtocol.Http, 0, Listener("ns/gw/http", null, hosts));

    public static GatewayIr Gateway(string name, PortIr[] ports, params BackendIr[] backends) => new()
    {
        Name = name,
        Ports = ports,
        Backends = backends,
    };

    /// <summary>Gateway ns/gw, one HTTP port, every request to backend ns/b:80 on <paramref name="backendPort"/> (or <paramref name="rule"/>).</summary>
    public static GatewayIr OneRoute(int backendPort, HttpRuleIr? rule = null) =>
        Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", rule ?? To("ns/b:80"))))], Backend("ns/b:80", backendPort));

    /// <summary>Gateway ns/gw, one HTTP port, every request to the echo backend ns/e:80.</summary>
    public static GatewayIr OneRoute(EchoBackend echo) =>
        Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/e:80"))))], Backend("ns/e:80", echo));

    /// <summary>A request header edit of Host (set to "h", what the tests send): a step only the Kestrel pipeline runs.</summary>
    public static HttpFilterIr KestrelOnlyHostEdit { get; } = new()
    {
        RequestHeaders = new HeaderModifierIr { Set = new[] { new KeyValuePair<string, string>("Host", "h") } },
    };

    /// <summary>As <see cref="OneRoute(EchoBackend)"/>, plus /redirect answered by a 301 to elsewhere.example (the full pipeline's work).</summary>
    public static GatewayIr EchoGateway(EchoBackend echo, BackendProtocol protocol = BackendProtocol.Http1) =>
        Gateway("ns/gw", [HttpPort(Host("*",
                Prefix("/redirect", new HttpRuleIr { Name = "redirect", Redirect = new RedirectIr { Hostname = "elsewhere.example", StatusCode = 301 } }),
                // A step only the Kestrel pipeline runs (an edit of Host, which the byte transports manage): its
                // requests leave the byte transports; the URL rewrite (every transport) shows in the echoed path.
                Prefix("/rewrite", To("ns/e:80") with
                {
                    Name = "rewrite",
                    Filters = new[] { KestrelOnlyHostEdit, new HttpFilterIr { UrlRewrite = new UrlRewriteIr { Path = new PathModifierIr(PathModifierKind.ReplacePrefixMatch, "/rewritten") } } },
                }),
                Prefix("/", To("ns/e:80"))))],
            Backend("ns/e:80", echo, protocol));
}
