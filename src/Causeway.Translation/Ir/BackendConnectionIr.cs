namespace Causeway.Translation.Ir;

/// <summary>
/// How the gateway opens connections to an HTTP backend, from the BackendTrafficPolicies of the rules using it
/// (<c>timeout.tcp.connectTimeout</c>, <c>tcpKeepalive</c>): the backend's connection pools are shared by those rules,
/// so the shortest connect timeout and the first keep-alive setting (in route order) apply to all of them.
/// </summary>
public sealed record BackendConnectionIr
{
    public TimeSpan? ConnectTimeout { get; init; }
    public TcpKeepaliveIr? TcpKeepalive { get; init; }
}
