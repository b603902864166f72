namespace Causeway.DataPlane.Telemetry;

/// <summary>Downstream connections of one bound HTTP port, and its TLS handshakes (counted by the port's middleware).</summary>
internal sealed class ConnectionStats
{
    private long _total;
    private long _active;
    private long _handshakes;
    private long _handshakeFailures;
    private long _overLimit;
    private long _proxyHeaderRejected;

    public long Total => Interlocked.Read(ref _total);
    public long Active => Interlocked.Read(ref _active);
    public long Handshakes => Interlocked.Read(ref _handshakes);
    public long HandshakeFailures => Interlocked.Read(ref _handshakeFailures);

    /// <summary>Connections closed right after accept because the port had its connection limit open already.</summary>
    public long OverLimit => Interlocked.Read(ref _overLimit);

    /// <summary>Connections closed because they did not start with a valid PROXY protocol header the port requires.</summary>
    public long ProxyHeaderRejected => Interlocked.Read(ref _proxyHeaderRejected);

    public void ProxyHeaderRejectedOnce() => Interlocked.Increment(ref _proxyHeaderRejected);

    public void Opened()
    {
        Interlocked.Increment(ref _total);
        Interlocked.Increment(ref _active);
    }

    /// <summary>
    /// Counts a new connection unless <paramref name="limit"/> connections are open (then counts it as over the limit
    /// and returns false: the caller closes it).
    /// </summary>
    public bool TryOpen(long? limit)
    {
        if (limit is not { } max)
        {
            Opened();
            return true;
        }
        while (true)
        {
            var active = Interlocked.Read(ref _active);
            if (active >= max)
            {
                Interlocked.Increment(ref _overLimit);
                return false;
            }
            if (Interlocked.CompareExchange(ref _active, active + 1, active) == active) break;
        }
        Interlocked.Increment(ref _total);
        return true;
    }

    public void Closed() => Interlocked.Decrement(ref _active);

    /// <summary>A connection the event loop handed to Kestrel: open again, not new.</summary>
    public void Resumed() => Interlocked.Increment(ref _active);

    public void Handshake(bool ok) => Interlocked.Increment(ref ok ? ref _handshakes : ref _handshakeFailures);
}
