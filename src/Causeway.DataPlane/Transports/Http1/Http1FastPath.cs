using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.Transports.Http1;

/// <summary>Where a connection finds the routing table to use for its next request (read per request).</summary>
internal interface ICompiledPortSource
{
    CompiledPort Current { get; }

    /// <summary>The port's downstream connection counters.</summary>
    ConnectionStats Connections { get; }
}

/// <summary>
/// The HTTP/1.1 fast path: a Kestrel connection middleware on cleartext ports (and on HTTPS ports behind the TLS
/// middleware, for HTTP/1.1 connections) that relays simple, eligible requests to
/// pooled backend connections itself and hands the connection to the Kestrel + YARP pipeline (unconsumed request bytes
/// and all) the first time a request is anything else. One per data plane; state per connection lives in
/// <see cref="Http1Connection"/>.
/// </summary>
internal sealed partial class Http1FastPath : IDisposable
{
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly object _loopsLock = new();
    private LoopGroup? _loops;
    private bool _disposed;
    private DateBytes _date = new(0, []);

    public Http1FastPath(DataPlaneOptions options, ILoggerFactory loggerFactory, HttpTelemetry telemetry)
    {
        Options = options;
        Telemetry = telemetry;
        _logger = loggerFactory.CreateLogger<Http1FastPath>();
        _loggerFactory = loggerFactory;
        Pools = new Http1BackendPools(options, loggerFactory.CreateLogger<Http1BackendPools>());
    }

    public DataPlaneOptions Options { get; }

    /// <summary>Where both byte transports report (the completion hook and their counters).</summary>
    public HttpTelemetry Telemetry { get; }

    /// <summary>
    /// How long a request head that arrives in pieces may take before the connection goes on to Kestrel (which then
    /// applies its own header timeout): 2 s, or the configured request-head timeout when that is shorter. Both the
    /// connection-level fast path and the event loops wait this long.
    /// </summary>
    public TimeSpan PartialHeadWait => Options.RequestHeadersTimeout < MaxPartialHeadWait ? Options.RequestHeadersTimeout : MaxPartialHeadWait;

    private static readonly TimeSpan MaxPartialHeadWait = TimeSpan.FromSeconds(2);
    public Http1BackendPools Pools { get; }

    /// <summary>Requests the byte transports served (relayed, or answered by the gateway itself).</summary>
    public long Requests => Telemetry.Started(TransportSet.EventLoop) + Telemetry.Started(TransportSet.Http1Relay);

    /// <summary>Connections the Kestrel-side relay handed to the Kestrel pipeline.</summary>
    public long HandOffs => Telemetry.RelayHandOffs;

    /// <summary>Of <see cref="Requests"/>, those the event loops served.</summary>
    public long LoopRequests => Telemetry.Started(TransportSet.EventLoop);

    /// <summary>Connections the event loops handed to Kestrel (where the relay sees them again).</summary>
    public long LoopHandOffs => Telemetry.LoopHandOffs;

    /// <summary>
    /// The event loops serving cleartext ports, started with the first such port; null when
    /// <see cref="DataPlaneOptions.Http1EventLoop"/> is off or the platform has no epoll.
    /// </summary>
    internal LoopGroup? EventLoops
    {
        get
        {
            if (!Options.Http1EventLoop || !Native.IsSupported) return null;
            lock (_loopsLock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                return _loops ??= new LoopGroup(this, _loggerFactory);
            }
        }
    }

    /// <summary>
    /// Runs a connection: cleartext, or TLS already decrypted by Kestrel's HTTPS middleware (installed after it). A TLS
    /// connection whose ALPN chose anything but http/1.1 goes straight to <paramref name="next"/>; a TLS connection
    /// never sends on the socket directly (it carries ciphertext) and always writes through the transport pipe.
    /// </summary>
    public Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next, ICompiledPortSource port)
    {
        var handshake = connection.Features.Get<ITlsHandshakeFeature>();
        var tls = handshake is not null || port.Current.IsHttps;
        if (tls)
        {
            var alpn = connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol ?? default;
            if (!alpn.IsEmpty && !alpn.Span.SequenceEqual("http/1.1"u8)) return next(connection);
        }
        return new Http1Connection(this, connection, port, tls, handshake?.HostName).RunAsync(next);
    }

    internal void CountRequest() => Telemetry.Start(TransportSet.Http1Relay);

    internal void CountLoopRequest() => Telemetry.Start(TransportSet.EventLoop);

    internal void CountLoopHandOff(string reason)
    {
        Telemetry.HandOff(TransportSet.EventLoop);
        LogLoopHandOff(reason);
    }

    internal void CountHandOff(string reason)
    {
        Telemetry.HandOff(TransportSet.Http1Relay);
        LogHandOff(reason);
    }

    /// <summary>The completion hook for an exchange of <paramref name="x"/> on <paramref name="transport"/>.</summary>
    internal void Completed(TransportSet transport, Http1Exchange x, bool aborted)
    {
        x.UpstreamEnded();
        var summary = x.Summary(transport, aborted);
        x.Policy.Complete(summary);
        Telemetry.OnExchangeCompleted(summary);
    }

    /// <summary>The IMF-fixdate of the current second, as Kestrel's Date header.</summary>
    internal byte[] DateHeaderValue()
    {
        var now = DateTimeOffset.UtcNow;
        var second = now.ToUnixTimeSeconds();
        var d = _date;
        if (d.Second == second) return d.Bytes;
        var bytes = Encoding.ASCII.GetBytes(now.ToString("r", System.Globalization.CultureInfo.InvariantCulture));
        _date = new DateBytes(second, bytes);
        return bytes;
    }

    public void Dispose()
    {
        LoopGroup? loops;
        lock (_loopsLock)
        {
            _disposed = true;
            loops = _loops;
        }
        loops?.Dispose();
        Pools.Dispose();
    }

    private sealed record DateBytes(long Second, byte[] Bytes);

    [LoggerMessage(Level = LogLevel.Debug, Message = "HTTP/1.1 fast path hands the connection to the full pipeline: {Reason}")]
    private partial void LogHandOff(string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "HTTP/1.1 event loop hands the connection to Kestrel: {Reason}")]
    private partial void LogLoopHandOff(string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "HTTP/1.1 fast path: backend {Endpoint} failed, answering {Status}: {Reason}")]
    internal partial void LogBackendError(string endpoint, int status, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "HTTP/1.1 fast path: connection closed mid-exchange: {Reason}")]
    internal partial void LogAborted(string reason);
}
