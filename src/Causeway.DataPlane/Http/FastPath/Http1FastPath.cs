using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.Http.FastPath;

/// <summary>Where a connection finds the routing table to use for its next request (read per request).</summary>
internal interface ICompiledPortSource
{
    CompiledPort Current { get; }
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
    private long _requests;
    private long _handOffs;
    private long _loopHandOffs;
    private long _loopRequests;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly object _loopsLock = new();
    private EventLoop.LoopGroup? _loops;
    private bool _disposed;
    private DateBytes _date = new(0, []);

    public Http1FastPath(DataPlaneOptions options, ILoggerFactory loggerFactory)
    {
        Options = options;
        _logger = loggerFactory.CreateLogger<Http1FastPath>();
        _loggerFactory = loggerFactory;
        Pools = new Http1BackendPools(options, loggerFactory.CreateLogger<Http1BackendPools>());
    }

    public DataPlaneOptions Options { get; }

    /// <summary>
    /// How long a request head that arrives in pieces may take before the connection goes on to Kestrel (which then
    /// applies its own header timeout): 2 s, or the configured request-head timeout when that is shorter. Both the
    /// connection-level fast path and the event loops wait this long.
    /// </summary>
    public TimeSpan PartialHeadWait => Options.RequestHeadersTimeout < MaxPartialHeadWait ? Options.RequestHeadersTimeout : MaxPartialHeadWait;

    private static readonly TimeSpan MaxPartialHeadWait = TimeSpan.FromSeconds(2);
    public Http1BackendPools Pools { get; }

    /// <summary>Requests relayed by the fast path (answered by a backend or with 502/503/504).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Connections handed to the Kestrel pipeline.</summary>
    public long HandOffs => Interlocked.Read(ref _handOffs);

    /// <summary>Of <see cref="Requests"/>, those the event loops relayed.</summary>
    public long LoopRequests => Interlocked.Read(ref _loopRequests);

    /// <summary>Connections the event loops handed to Kestrel (where this fast path sees them again).</summary>
    public long LoopHandOffs => Interlocked.Read(ref _loopHandOffs);

    /// <summary>
    /// The event loops serving cleartext ports, started with the first such port; null when
    /// <see cref="DataPlaneOptions.Http1EventLoop"/> is off or the platform has no epoll.
    /// </summary>
    internal EventLoop.LoopGroup? EventLoops
    {
        get
        {
            if (!Options.Http1EventLoop || !EventLoop.Native.IsSupported) return null;
            lock (_loopsLock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                return _loops ??= new EventLoop.LoopGroup(this, _loggerFactory);
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

    internal void CountRequest() => Interlocked.Increment(ref _requests);

    internal void CountLoopRequest()
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _loopRequests);
    }

    internal void CountLoopHandOff(string reason)
    {
        Interlocked.Increment(ref _loopHandOffs);
        LogLoopHandOff(reason);
    }

    internal void CountHandOff(string reason)
    {
        Interlocked.Increment(ref _handOffs);
        LogHandOff(reason);
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
        EventLoop.LoopGroup? loops;
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
