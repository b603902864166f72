namespace Causeway.Distribution.Server;

/// <summary>A proxy answered a snapshot: <see cref="Accepted"/> (ACK) or rejected with <see cref="Error"/> (NACK).</summary>
public sealed class ProxyAckEventArgs(string gatewayKey, string proxyId, long version, bool accepted, string? error) : EventArgs
{
    public string GatewayKey { get; } = gatewayKey;
    public string ProxyId { get; } = proxyId;
    public long Version { get; } = version;
    public bool Accepted { get; } = accepted;
    public string? Error { get; } = error;
}

/// <summary>One connected proxy of a Gateway: the last version it applied and its last rejection, if any.</summary>
public sealed record ProxyStatus(string ProxyId, DateTimeOffset ConnectedAt, long? AckedVersion, long? NackedVersion, string? LastError);
