using System.Text;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.ClientTraffic.Connection;

/// <summary>
/// A port's connection-level ClientTrafficPolicy timeouts and reuse limits, compiled once per apply into plain
/// milliseconds that every HTTP transport reads: the event loop (deadlines on its own clock), the HTTP/1.1 relay
/// (its connection's cancellation timer) and Kestrel (its limits, and the decision wait of the pipeline). The answers
/// are the same everywhere: a request not received in time gets Envoy's 408 and the connection closes; an idle
/// connection is closed; a connection past its request count or age closes after its current response. It also
/// carries the HTTP/2 settings Kestrel offers on the port.
/// </summary>
internal sealed class ClientConnectionPolicy
{
    private ClientConnectionPolicy(ClientConnectionIr ir)
    {
        Idle = ir.IdleTimeout is { } idle ? Off(idle) : null;
        RequestReceived = ir.RequestReceivedTimeout is { } received && received > TimeSpan.Zero ? received : null;
        var headers = ir.RequestHeadersTimeout is { } h && h > TimeSpan.Zero ? h : (TimeSpan?)null;
        Head = headers is null ? RequestReceived : RequestReceived is null ? headers : Min(headers.Value, RequestReceived.Value);
        MaxRequests = ir.MaxRequestsPerConnection is { } max && max > 0 ? max : 0;
        MaxDuration = ir.MaxConnectionDuration is { } d && d > TimeSpan.Zero ? d : null;
        HeadMs = Head is { } head ? Ms(head) : 0;
        RequestReceivedMs = RequestReceived is { } r ? Ms(r) : 0;
        MaxDurationMs = MaxDuration is { } md ? Ms(md) : 0;
        Http2StreamWindow = (int?)ir.Http2InitialStreamWindowSize;
        Http2ConnectionWindow = (int?)ir.Http2InitialConnectionWindowSize;
        Http2MaxStreams = ir.Http2MaxConcurrentStreams;
        MaxRequestHeaders = ir.MaxRequestHeadersBytes;
        BufferLimit = ir.BufferLimit;
        SocketBuffer = ir.SocketBufferLimit;
    }

    /// <summary>The port's policy, or null when it sets none of these (the transports keep their defaults).</summary>
    public static ClientConnectionPolicy? Create(ClientConnectionIr? ir) =>
        ir is { IdleTimeout: null, RequestHeadersTimeout: null, RequestReceivedTimeout: null, MaxRequestsPerConnection: null, MaxConnectionDuration: null,
            Http2InitialStreamWindowSize: null, Http2InitialConnectionWindowSize: null, Http2MaxConcurrentStreams: null, MaxRequestHeadersBytes: null,
            BufferLimit: null, SocketBufferLimit: null }
            or null ? null : new ClientConnectionPolicy(ir);

    /// <summary>
    /// The most bytes a request head may have (<c>headers.maxRequestHeaderLimit</c>); null: the data plane's limit. The
    /// byte transports hand a longer head to Kestrel, which answers 431.
    /// </summary>
    public int? MaxRequestHeaders { get; private init; }

    /// <summary>
    /// <c>connection.bufferLimit</c>: the most a client connection buffers in user space (the event loop buffers a
    /// request body up to it and hands a longer one to Kestrel, whose request and response buffers it bounds); null: the
    /// transports' defaults.
    /// </summary>
    public int? BufferLimit { get; private init; }

    /// <summary>The request body the event loop may buffer, given its default.</summary>
    public static int MaxBufferedBodyOr(ClientConnectionPolicy? policy, int fallback) =>
        policy?.BufferLimit is { } limit ? Math.Min(limit, fallback) : fallback;

    /// <summary><c>connection.socketBufferLimit</c>: SO_RCVBUF and SO_SNDBUF of accepted client sockets (<see cref="ClientSocketBuffers"/>); null: the kernel's.</summary>
    public int? SocketBuffer { get; private init; }

    /// <summary>The request head size limit, given the transport's default.</summary>
    public static int MaxRequestHeadersOr(ClientConnectionPolicy? policy, int fallback) => policy?.MaxRequestHeaders ?? fallback;

    /// <summary>HTTP/2 settings for Kestrel (null: Kestrel's defaults).</summary>
    public int? Http2StreamWindow { get; private init; }

    /// <inheritdoc cref="Http2StreamWindow"/>
    public int? Http2ConnectionWindow { get; private init; }

    /// <inheritdoc cref="Http2StreamWindow"/>
    public int? Http2MaxStreams { get; private init; }

    /// <summary>How long a connection may wait for its next request; <see cref="Timeout.InfiniteTimeSpan"/>: for ever; null: the transport's default.</summary>
    public TimeSpan? Idle { get; }

    /// <summary>How long a request head (and, on the byte transports, its buffered body) may take from its first byte; null: the transport's default.</summary>
    public TimeSpan? Head { get; }

    /// <summary>How long a whole request may take from its first byte until it goes upstream or is answered; null: no limit.</summary>
    public TimeSpan? RequestReceived { get; }

    /// <summary>The response to this many requests closes the connection; 0: no limit.</summary>
    public long MaxRequests { get; }

    /// <summary>How long a connection is reused; null: no limit.</summary>
    public TimeSpan? MaxDuration { get; }

    /// <summary>The idle timeout in milliseconds (0: none), given the transport's default.</summary>
    public static long IdleMs(ClientConnectionPolicy? policy, TimeSpan fallback) => Ms(policy?.Idle ?? fallback);

    /// <summary><see cref="Head"/> in milliseconds; 0: none set.</summary>
    public long HeadMs { get; }

    /// <summary><see cref="RequestReceived"/> in milliseconds; 0: none.</summary>
    public long RequestReceivedMs { get; }

    /// <summary><see cref="MaxDuration"/> in milliseconds; 0: none.</summary>
    public long MaxDurationMs { get; }

    /// <summary>
    /// Whether the response to the request that just started must close the connection: it is the connection's
    /// <paramref name="served"/>th (counting it) and that is the limit, or the connection is older than the limit
    /// (Envoy's default for HTTP/1: the connection closes on its first request past its age, after the response).
    /// </summary>
    public bool CloseAfter(long served, long openedMs, long nowMs) =>
        (MaxRequests > 0 && served >= MaxRequests) || (MaxDurationMs > 0 && nowMs - openedMs >= MaxDurationMs);

    /// <summary>Envoy's answer to a request that was not received in time (<c>408</c>, <c>request timeout</c>).</summary>
    public static LocalReply RequestTimeout { get; } = new(408) { Body = Encoding.ASCII.GetBytes("request timeout"), ContentType = "text/plain", Final = true };

    private static TimeSpan Off(TimeSpan t) => t > TimeSpan.Zero ? t : Timeout.InfiniteTimeSpan;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static long Ms(TimeSpan t) => t == Timeout.InfiniteTimeSpan ? 0 : Math.Max(1, (long)Math.Ceiling(t.TotalMilliseconds));
}
