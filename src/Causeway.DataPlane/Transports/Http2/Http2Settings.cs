namespace Causeway.DataPlane.Transports.Http2;

/// <summary>What a <see cref="Http2ServerSession"/> advertises and enforces (RFC 9113 6.5.2 and its own limits).</summary>
internal sealed record Http2Settings
{
    /// <summary>SETTINGS_MAX_CONCURRENT_STREAMS: streams above it are refused (RST_STREAM REFUSED_STREAM).</summary>
    public int MaxConcurrentStreams { get; init; } = 100;

    /// <summary>SETTINGS_INITIAL_WINDOW_SIZE: each stream's receive window.</summary>
    public int InitialWindowSize { get; init; } = Http2Frame.DefaultWindowSize;

    /// <summary>The connection's receive window (raised from 65535 by a WINDOW_UPDATE in the server preface).</summary>
    public int ConnectionWindowSize { get; init; } = Http2Frame.DefaultWindowSize;

    /// <summary>SETTINGS_MAX_FRAME_SIZE: the largest frame payload we accept.</summary>
    public int MaxFrameSize { get; init; } = Http2Frame.DefaultMaxFrameSize;

    /// <summary>SETTINGS_HEADER_TABLE_SIZE: the HPACK dynamic table the client may use.</summary>
    public int HeaderTableSize { get; init; } = 4096;

    /// <summary>SETTINGS_MAX_HEADER_LIST_SIZE: a request above it is answered 431.</summary>
    public int MaxHeaderListSize { get; init; } = 16 * 1024;

    /// <summary>
    /// Rapid-reset defence (CVE-2023-44487), as Envoy's premature-reset check: once this many streams were opened,
    /// a connection whose client reset more than half of them before their response ended fails with
    /// ENHANCE_YOUR_CALM. 0 turns it off.
    /// </summary>
    public int PrematureResetMinStreams { get; init; } = 500;

    /// <summary>The most bytes of one header block (HEADERS + CONTINUATION) buffered; more is ENHANCE_YOUR_CALM.</summary>
    public int MaxHeaderBlockSize { get; init; } = 64 * 1024;
}
