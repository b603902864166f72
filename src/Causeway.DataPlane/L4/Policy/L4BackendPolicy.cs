using Causeway.DataPlane.Policies.CircuitBreaker;
using Causeway.DataPlane.State;
using Causeway.DataPlane.Upstream.Balancing;
using Causeway.DataPlane.Upstream.Health;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.L4.Policy;

/// <summary>
/// The effective BackendTrafficPolicy of one L4 route towards one of its backends, compiled once per routing
/// generation and called by the TCP, TLS and UDP forwarders: which endpoint a new connection (or UDP session) goes to
/// (<see cref="EndpointBalancer"/>, the same balancer HTTP rules use, skipping endpoints the active TCP checks or the
/// passive connect-failure detection took out; the active checks are TCP, HTTP or gRPC probes of the endpoints), how many connections the route may hold (<c>maxConnections</c>),
/// the connect timeout, the PROXY header, keep-alive and buffer size of the backend connection. What must outlive a
/// reload (health state and probes, connection counts, in-flight counts) is kept in the server's
/// <see cref="StateStore"/> under what defines it.
/// </summary>
internal sealed class L4BackendPolicy
{
    private L4BackendPolicy(BackendTrafficPolicyIr ir, EndpointBalancer balancer, ActiveHealthChecker? active, CircuitBreakerGate? connections)
    {
        Ir = ir;
        Balancer = balancer;
        Active = active;
        Connections = connections;
    }

    public BackendTrafficPolicyIr Ir { get; }

    public EndpointBalancer Balancer { get; }

    public ActiveHealthChecker? Active { get; }

    /// <summary><c>circuitBreaker.maxConnections</c> of the route: a connection beyond it is refused (Envoy's UO).</summary>
    public CircuitBreakerGate? Connections { get; }

    public TimeSpan? ConnectTimeout => Ir.ConnectTimeout;

    public BackendProxyProtocolVersion? ProxyProtocol => Ir.ProxyProtocol;

    public TcpKeepaliveIr? Keepalive => Ir.TcpKeepalive;

    /// <summary>The splice buffer per direction: <c>connection.bufferLimit</c> when smaller than the server's.</summary>
    public int BufferSize(int serverDefault) =>
        Ir.ConnectionBufferLimit is { } limit ? (int)Math.Clamp(limit, 1, serverDefault) : serverDefault;

    /// <param name="datagrams">UDP: only the load balancer applies (the translator warned about the rest).</param>
    public static L4BackendPolicy Create(BackendTrafficPolicyIr ir, L4RouteIr route, BackendIr backend, bool datagrams, StateStore state)
    {
        var endpoints = backend.Endpoints.Select(e => e.Kind == EndpointKind.Unix ? "unix:" + e.Address : e.Address + ":" + e.Port).ToArray();
        var names = string.Join(",", endpoints);
        var lb = ir.LoadBalancer ?? new LoadBalancerIr();
        var passive = datagrams ? null : ir.PassiveHealth;
        var panic = ir.PanicThreshold ?? 50;
        ActiveHealthChecker? active = null;
        if (!datagrams && ir.ActiveHealth is { } ahc && endpoints.Length > 0)
            active = state.GetOrAdd($"l4-active-health|{ir.Policy}|{backend.Id}|{names}|{ActiveHealthChecker.Describe(ahc, panic)}|{ahc.GetHashCode()}",
                () => new ActiveHealthChecker(ahc, panic, backend.Endpoints.ToArray()));
        EndpointHealth[]? health = passive is null ? null
            : [.. endpoints.Select(e => state.GetOrAdd($"l4-outlier|{ir.Policy}|{backend.Id}|{e}|{passive}", () => new EndpointHealth()))];
        var balancer = state.GetOrAdd($"l4-balancer|{ir.Policy}|{route.Name}|{backend.Id}|{names}|{lb}|{passive}|{active?.GetHashCode()}",
            () => new EndpointBalancer(lb, passive, endpoints, health, active));
        CircuitBreakerGate? connections = null;
        if (!datagrams && ir.CircuitBreaker is { } cb)
            connections = state.GetOrAdd($"l4-connections|{ir.Policy}|{route.Name}|{cb.MaxConnections}", () => new CircuitBreakerGate(cb.MaxConnections));
        return new L4BackendPolicy(ir, balancer, active, connections);
    }
}
