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
}
