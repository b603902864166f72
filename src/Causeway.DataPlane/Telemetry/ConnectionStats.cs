namespace Causeway.DataPlane.Telemetry;

/// <summary>Downstream connections of one bound HTTP port, and its TLS handshakes (counted by the port's middleware).</summary>
internal sealed class ConnectionStats
{
    private long _total;
    private long _active;
    private long _handshakes;
    private long _handshakeFailures;

    public long Total => Interlocked.Read(ref _total);
    public long Active => Interlocked.Read(ref _active);
    public long Handshakes => Interlocked.Read(ref _handshakes);
    public long HandshakeFailures => Interlocked.Read(ref _handshakeFailures);

    public void Opened()
    {
        Interlocked.Increment(ref _total);
        Interlocked.Increment(ref _active);
    }

    public void Closed() => Interlocked.Decrement(ref _active);

    /// <summary>A connection the event loop handed to Kestrel: open again, not new.</summary>
    public void Resumed() => Interlocked.Increment(ref _active);

    public void Handshake(bool ok) => Interlocked.Increment(ref ok ? ref _handshakes : ref _handshakeFailures);
}
