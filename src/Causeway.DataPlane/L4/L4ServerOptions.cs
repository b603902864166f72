namespace Causeway.DataPlane.L4;

/// <summary>Timeouts and limits of an <see cref="L4Server"/>. Immutable; the defaults suit production.</summary>
public sealed record L4ServerOptions
{
    /// <summary>The defaults (a shared immutable instance).</summary>
    public static L4ServerOptions Default { get; } = new();

    /// <summary>Where a line per TCP/TLS connection goes (null: not logged).</summary>
    public Telemetry.AccessLog.AccessLogWriter? AccessLog { get; init; }

    /// <summary>A TCP/TLS connection with no bytes in either direction for this long is closed.</summary>
    public TimeSpan TcpIdleTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Per attempt: a backend that does not accept within this time counts as unreachable.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>At most this many endpoints of the chosen backend are tried before the client is closed.</summary>
    public int MaxConnectAttempts { get; init; } = 3;

    /// <summary>Reading the ClientHello and completing TLS handshakes (client side and backend side) must fit in this.</summary>
    public TimeSpan TlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A ClientHello larger than this (records included) is refused.</summary>
    public int MaxClientHelloBytes { get; init; } = 64 * 1024;

    /// <summary>Splice buffer size per direction (pooled).</summary>
    public int BufferSize { get; init; } = 32 * 1024;

    /// <summary>Accept backlog of TCP listeners.</summary>
    public int ListenBacklog { get; init; } = 512;

    /// <summary>A UDP session with no datagram in either direction for this long is removed.</summary>
    public TimeSpan UdpIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Upper bound of concurrent UDP sessions per port; datagrams of new clients are dropped when full.</summary>
    public int UdpMaxSessions { get; init; } = 10_000;

    /// <summary>How long <see cref="L4Server.DisposeAsync"/> waits for connections and sessions to wind down.</summary>
    public TimeSpan DisposeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        if (TcpIdleTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(TcpIdleTimeout));
        if (ConnectTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ConnectTimeout));
        if (TlsHandshakeTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(TlsHandshakeTimeout));
        if (UdpIdleTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(UdpIdleTimeout));
        if (MaxConnectAttempts < 1) throw new ArgumentOutOfRangeException(nameof(MaxConnectAttempts));
        if (MaxClientHelloBytes < 512) throw new ArgumentOutOfRangeException(nameof(MaxClientHelloBytes));
        if (BufferSize < 1024) throw new ArgumentOutOfRangeException(nameof(BufferSize));
        if (UdpMaxSessions < 1) throw new ArgumentOutOfRangeException(nameof(UdpMaxSessions));
        if (ListenBacklog < 1) throw new ArgumentOutOfRangeException(nameof(ListenBacklog));
        if (DisposeTimeout < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(DisposeTimeout));
    }

    /// <summary>How often idle connections/sessions are looked for: a quarter of the timeout, within [50 ms, 5 s].</summary>
    internal static TimeSpan SweepPeriod(TimeSpan idle)
    {
        var q = idle / 4;
        if (q < TimeSpan.FromMilliseconds(50)) return TimeSpan.FromMilliseconds(50);
        return q > TimeSpan.FromSeconds(5) ? TimeSpan.FromSeconds(5) : q;
    }
}
