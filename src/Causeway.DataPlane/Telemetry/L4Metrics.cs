namespace Causeway.DataPlane.Telemetry;

/// <summary>Counters of one <see cref="L4.L4Server"/> (per instance, never static). Read with <see cref="Snapshot"/>.</summary>
internal sealed class L4Metrics
{
    private long _connectionsAccepted;
    private long _connectionsActive;
    private long _connectionsRefused;
    private long _connectionsIdleClosed;
    private long _backendConnectFailures;
    private long _tlsHandshakeFailures;
    private long _bytesFromClients;
    private long _bytesToClients;
    private long _udpSessionsCreated;
    private long _udpSessionsActive;
    private long _udpSessionsExpired;
    private long _udpDatagramsFromClients;
    private long _udpDatagramsToClients;
    private long _udpDatagramsDropped;
    private long _backendConnectAttemptFailures;

    public void ConnectionAccepted() { Interlocked.Increment(ref _connectionsAccepted); Interlocked.Increment(ref _connectionsActive); }
    public void ConnectionClosed() => Interlocked.Decrement(ref _connectionsActive);
    public void ConnectionRefused() => Interlocked.Increment(ref _connectionsRefused);
    public void ConnectionIdleClosed() => Interlocked.Increment(ref _connectionsIdleClosed);
    public void BackendConnectFailed() => Interlocked.Increment(ref _backendConnectFailures);
    /// <summary>One attempt to connect to one backend endpoint failed (the connection may still succeed on another).</summary>
    public void BackendConnectAttemptFailed() => Interlocked.Increment(ref _backendConnectAttemptFailures);
    public void TlsHandshakeFailed() => Interlocked.Increment(ref _tlsHandshakeFailures);
    public void AddBytesFromClient(long n) => Interlocked.Add(ref _bytesFromClients, n);
    public void AddBytesToClient(long n) => Interlocked.Add(ref _bytesToClients, n);
    public void UdpSessionCreated() { Interlocked.Increment(ref _udpSessionsCreated); Interlocked.Increment(ref _udpSessionsActive); }
    public void UdpSessionRemoved(bool expired)
    {
        Interlocked.Decrement(ref _udpSessionsActive);
        if (expired) Interlocked.Increment(ref _udpSessionsExpired);
    }
    public void UdpDatagramFromClient(int bytes) { Interlocked.Increment(ref _udpDatagramsFromClients); AddBytesFromClient(bytes); }
    public void UdpDatagramToClient(int bytes) { Interlocked.Increment(ref _udpDatagramsToClients); AddBytesToClient(bytes); }
    public void UdpDatagramDropped() => Interlocked.Increment(ref _udpDatagramsDropped);

    public L4MetricsSnapshot Snapshot() => new(
        Interlocked.Read(ref _connectionsAccepted), Interlocked.Read(ref _connectionsActive),
        Interlocked.Read(ref _connectionsRefused), Interlocked.Read(ref _connectionsIdleClosed),
        Interlocked.Read(ref _backendConnectFailures), Interlocked.Read(ref _tlsHandshakeFailures),
        Interlocked.Read(ref _bytesFromClients), Interlocked.Read(ref _bytesToClients),
        Interlocked.Read(ref _udpSessionsCreated), Interlocked.Read(ref _udpSessionsActive),
        Interlocked.Read(ref _udpSessionsExpired), Interlocked.Read(ref _udpDatagramsFromClients),
        Interlocked.Read(ref _udpDatagramsToClients), Interlocked.Read(ref _udpDatagramsDropped),
        Interlocked.Read(ref _backendConnectAttemptFailures));
}

internal readonly record struct L4MetricsSnapshot(
    long ConnectionsAccepted, long ConnectionsActive, long ConnectionsRefused, long ConnectionsIdleClosed,
    long BackendConnectFailures, long TlsHandshakeFailures, long BytesFromClients, long BytesToClients,
    long UdpSessionsCreated, long UdpSessionsActive, long UdpSessionsExpired,
    long UdpDatagramsFromClients, long UdpDatagramsToClients, long UdpDatagramsDropped,
    long BackendConnectAttemptFailures = 0);
