namespace Causeway.Translation.Ir;

/// <summary>
/// BackendTrafficPolicy <c>tcpKeepalive</c>: keep-alive probes on backend sockets, with Envoy's defaults (9 probes,
/// 7200 s idle, 75 s between probes) for what the policy leaves out.
/// </summary>
public sealed record TcpKeepaliveIr
{
    public int Probes { get; init; } = 9;
    public TimeSpan IdleTime { get; init; } = TimeSpan.FromSeconds(7200);
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(75);
}
