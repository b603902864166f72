using System.Net;

namespace Causeway.DataPlane;

/// <summary>Process-level data plane settings (not part of the Gateway IR).</summary>
public sealed record DataPlaneOptions
{
    /// <summary>Address bound when a Gateway has no addresses.</summary>
    public IPAddress DefaultBindAddress { get; init; } = IPAddress.Any;

    /// <summary>Where the data plane's metrics are exported (null: recorded, not exported).</summary>
    public Causeway.Telemetry.MetricsRegistry? Metrics { get; init; }

    /// <summary>Where access log lines go (null or format off: no access log).</summary>
    public Telemetry.AccessLog.AccessLogWriter? AccessLog { get; init; }

    /// <summary>How long unbinding and disposal wait for in-flight requests before aborting them.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>TCP connect timeout towards backends; a backend that does not answer in time gets a 503.</summary>
    public TimeSpan BackendConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>TLS handshake timeout, both frontend and backend.</summary>
    public TimeSpan TlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Total request header size above which Kestrel answers 431.</summary>
    public int MaxRequestHeadersTotalSize { get; init; } = 64 * 1024;

    /// <summary>Idle keep-alive timeout for frontend connections.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(130);

    /// <summary>How often DNS-named endpoints (Envoy Gateway Backend <c>fqdn</c>) are resolved again; zero: never.</summary>
    public TimeSpan DnsRefreshInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Resolves DNS-named endpoints to every address they have, both families (null: the system's resolver,
    /// <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/>).
    /// </summary>
    public Func<string, CancellationToken, Task<IPAddress[]>>? DnsResolver { get; init; }

    /// <summary>
    /// The DNS servers asked for the names of backends whose policies respect record TTLs (null: the system's, from
    /// /etc/resolv.conf); names they do not answer (e.g. /etc/hosts entries) go to <see cref="DnsResolver"/>.
    /// </summary>
    public IReadOnlyList<IPEndPoint>? DnsServers { get; init; }

    /// <summary>The shortest time between two resolutions of a name that respects its TTL (Envoy's dns_min_refresh_rate).</summary>
    public TimeSpan DnsMinRefreshRate { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound for one DNS resolution of an endpoint name.</summary>
    public TimeSpan DnsResolveTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an idle pooled backend connection is kept.</summary>
    public TimeSpan BackendPooledConnectionIdleTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Upper bound for a mirrored request (fire-and-forget; never delays the client).</summary>
    public TimeSpan MirrorTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest request body buffered so that mirrors receive it too; larger or unsized bodies are not mirrored.</summary>
    public int MaxMirrorBufferedBodySize { get; init; } = 64 * 1024;

    /// <summary>
    /// How long a client may take to send a complete request head (line and headers) once it starts one; a slower
    /// client (slowloris) is disconnected.
    /// </summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Run request handling where the socket completion runs instead of dispatching it once more to the thread pool
    /// (Kestrel's <c>UnsafePreferInlineScheduling</c>): one thread hop less per read and write. Safe because the request
    /// path never blocks. With inline socket completions (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, which
    /// <c>causeway run</c> and <c>causeway proxy</c> set) that is the socket thread itself. On by default, so every test
    /// runs the production configuration.
    /// </summary>
    public bool InlineScheduling { get; init; } = true;

    /// <summary>Largest request body buffered so a request can be retried; larger bodies are never retried.</summary>
    public int MaxRetryBufferedBodySize { get; init; } = 64 * 1024;

    /// <summary>
    /// Serve simple HTTP/1.1 requests on cleartext ports with the connection-level relay (Http/FastPath) instead of
    /// the Kestrel + YARP pipeline; everything it does not handle still goes through that pipeline.
    /// </summary>
    public bool Http1FastPath { get; init; } = true;

    /// <summary>
    /// The fast path sends with a non-blocking <c>send</c> on the connection's socket (client and backend) instead of
    /// the transport's output pipe and send loop when it can: less CPU per request (see Http1Connection.Send.cs).
    /// </summary>
    public bool Http1DirectSend { get; init; } = true;

    /// <summary>
    /// Serve cleartext HTTP/1.1 ports with the fast path's own epoll event loops (Http/FastPath/EventLoop: no Kestrel or
    /// System.Net.Sockets on the hot path; connections it does not relay go to Kestrel unconsumed). Linux x86-64 and
    /// arm64 only; needs <see cref="Http1FastPath"/>.
    /// </summary>
    public bool Http1EventLoop { get; init; } = true;

    /// <summary>
    /// The event loops serve HTTPS ports too, terminating TLS with OpenSSL themselves (Transports/Http1/EventLoop,
    /// LoopConnection.Tls.cs) for HTTP/1.1 clients; needs <see cref="Http1EventLoop"/> and the system's libssl 3. Off:
    /// Kestrel's SslStream and the relay serve HTTPS ports.
    /// </summary>
    public bool LoopTls { get; init; } = true;

    /// <summary>
    /// The event loops serve HTTP/2 themselves (Transports/Http2/EventLoop) on ports whose every route they serve: TLS
    /// clients that choose h2 by ALPN (with <see cref="LoopTls"/>) and cleartext prior-knowledge clients. Off: such
    /// clients go to Kestrel's HTTP/2, as on every other port.
    /// </summary>
    public bool LoopHttp2 { get; init; } = true;

    /// <summary>
    /// HTTP/2 requests to plain HTTP/1.1 backends go over the byte transports' pooled connections
    /// (Transports/Kestrel/Http1Upstream) instead of YARP's HttpClient, where the rule allows it; needs
    /// <see cref="Http1FastPath"/> (its pools).
    /// </summary>
    public bool Http2DirectUpstream { get; init; } = true;

    /// <summary>Event-loop threads; 0 means one per processor the process may use.</summary>
    public int Http1EventLoopThreads { get; init; }

    /// <summary>Longest wait for any progress (a read or write) on a backend exchange before it is aborted.</summary>
    public TimeSpan BackendActivityTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Where BackendTrafficPolicy global rate limits are counted (Redis) and how they fail; null: no Redis.</summary>
    public Policies.RateLimit.Global.GlobalRateLimitOptions? GlobalRateLimit { get; init; }

    /// <summary>
    /// Idle fast-path backend connections kept per endpoint (per event loop; more are closed when returned). Above the
    /// streams one loop has in flight at once (HTTP/2 clients bring many each), or every burst would close connections
    /// only to open them again; the idle timeout closes what a burst left behind.
    /// </summary>
    public int Http1MaxIdleConnectionsPerEndpoint { get; init; } = 1024;

    /// <summary>
    /// Test hook: called with the receive and send buffer sizes the kernel reports for a client socket whose sizes a
    /// ClientTrafficPolicy's <c>connection.socketBufferLimit</c> set (not called otherwise).
    /// </summary>
    internal Action<int, int>? ClientSocketBuffersSet { get; init; }
}
