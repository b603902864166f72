namespace Causeway.Translation.Ir;

/// <summary>
/// The connection-level ClientTrafficPolicy settings of a bound port (one socket serves every listener on it, so
/// they are the port's): the PROXY protocol header, the concurrent connection limit, the client timeouts and how long
/// a connection is reused. A duration of zero turns that timeout off (as in Envoy); null keeps Causeway's default.
/// </summary>
public sealed record ClientConnectionIr
{
    /// <summary><c>namespace/name</c> of the policy these settings come from.</summary>
    public required string Policy { get; init; }

    /// <summary>Connections start with a PROXY protocol header (v1 or v2); null: they do not.</summary>
    public ProxyProtocolIr? ProxyProtocol { get; init; }

    /// <summary>At most this many client connections at once; null: no limit.</summary>
    public long? ConnectionLimit { get; init; }

    /// <summary>How long a connection over the limit is held before it is closed.</summary>
    public TimeSpan? ConnectionLimitCloseDelay { get; init; }

    /// <summary>An HTTP connection without a request in flight this long is closed (<c>timeout.http.idleTimeout</c>).</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>A request head must arrive this long after its first byte, else 408 (<c>timeout.http.requestHeadersReceivedTimeout</c>).</summary>
    public TimeSpan? RequestHeadersTimeout { get; init; }

    /// <summary>
    /// A whole request (head, body and the gateway's decisions) must be received this long after its first byte, else
    /// 408 and the connection closes (<c>timeout.http.requestReceivedTimeout</c>).
    /// </summary>
    public TimeSpan? RequestReceivedTimeout { get; init; }

    /// <summary>A TCP connection without bytes either way this long is closed (<c>timeout.tcp.idleTimeout</c>; TCP ports).</summary>
    public TimeSpan? TcpIdleTimeout { get; init; }

    /// <summary>The response to the connection's Nth request closes it (<c>connection.connectionLimit.maxRequestsPerConnection</c>).</summary>
    public long? MaxRequestsPerConnection { get; init; }

    /// <summary>
    /// After this long, the response to the connection's next request closes it (Envoy's HTTP/1 default: an idle connection
    /// is not closed for its age)
    /// (<c>connection.connectionLimit.maxConnectionDuration</c>).
    /// </summary>
    public TimeSpan? MaxConnectionDuration { get; init; }

    /// <summary>HTTP/2 <c>SETTINGS_INITIAL_WINDOW_SIZE</c> offered to clients (<c>http2.initialStreamWindowSize</c>); null: the server's default.</summary>
    public long? Http2InitialStreamWindowSize { get; init; }

    /// <summary>The HTTP/2 connection's receive window (<c>http2.initialConnectionWindowSize</c>); null: the server's default.</summary>
    public long? Http2InitialConnectionWindowSize { get; init; }

    /// <summary>HTTP/2 <c>SETTINGS_MAX_CONCURRENT_STREAMS</c> (<c>http2.maxConcurrentStreams</c>); null: the server's default (100).</summary>
    public int? Http2MaxConcurrentStreams { get; init; }

    /// <summary>The most bytes a request's headers may have, else 431 (<c>headers.maxRequestHeaderLimit</c>, whole KiB); null: the data plane's limit.</summary>
    public int? MaxRequestHeadersBytes { get; init; }

    /// <summary>
    /// <c>connection.bufferLimit</c> in bytes: the most a client connection buffers in user space (the event loop's
    /// request body buffer, Kestrel's request and response buffers); null: the data plane's defaults.
    /// </summary>
    public int? BufferLimit { get; init; }

    /// <summary><c>connection.socketBufferLimit</c> in bytes: SO_RCVBUF and SO_SNDBUF of accepted client sockets; null: the kernel's.</summary>
    public int? SocketBufferLimit { get; init; }
}
