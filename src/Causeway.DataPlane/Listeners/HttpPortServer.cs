using System.Net;
using System.Net.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Causeway.DataPlane.Listeners;

/// <summary>
/// One Kestrel server bound to one address and port (HTTP/1.1 + h2c, or TLS with ALPN h2/http1.1). Serves the
/// <see cref="CompiledPort"/> currently assigned; <see cref="Update"/> swaps it with one reference assignment and
/// TLS certificates are chosen per handshake from the current one, so nothing is rebound on change.
/// </summary>
internal sealed class HttpPortServer : IAsyncDisposable, ICompiledPortSource
{
    private readonly KestrelServer _server;
    private readonly HttpRequestHandler _handler;
    private readonly LoopTransportFactory? _loopTransport;
    private volatile CompiledPort _current;
    private readonly KestrelServerOptions _kestrel;
    private readonly DataPlaneOptions _options;

    /// <summary>Kestrel's own HTTP/2 settings, restored when a policy stops setting them.</summary>
    private static readonly (int StreamWindow, int ConnectionWindow, int MaxStreams) Http2Defaults = Http2DefaultLimits();

    private HttpPortServer(KestrelServer server, KestrelServerOptions kestrel, DataPlaneOptions options, HttpRequestHandler handler, CompiledPort port,
        LoopTransportFactory? loopTransport)
    {
        _server = server;
        _kestrel = kestrel;
        _options = options;
        _handler = handler;
        _current = port;
        _loopTransport = loopTransport;
    }

    public int BoundPort { get; private set; }

    public void Update(CompiledPort port)
    {
        _current = port;
        ApplyLimits(_kestrel, _options, port);
    }

    /// <summary>
    /// Kestrel's keep-alive and request-head timeouts, request header size limit (431 beyond it) and HTTP/2 settings from the port's ClientTrafficPolicy (or the
    /// data plane's and Kestrel's defaults). Kestrel reads its limits when a connection starts, so a change applies to new connections.
    /// </summary>
    private static void ApplyLimits(KestrelServerOptions kestrel, DataPlaneOptions options, CompiledPort port)
    {
        var policy = port.Connection;
        var idle = policy?.Idle ?? options.KeepAliveTimeout;
        var head = policy?.Head ?? options.RequestHeadersTimeout;
        if (kestrel.Limits.KeepAliveTimeout != idle) kestrel.Limits.KeepAliveTimeout = idle;
        if (kestrel.Limits.RequestHeadersTimeout != head) kestrel.Limits.RequestHeadersTimeout = head;
        kestrel.Limits.MaxRequestHeadersTotalSize = policy?.MaxRequestHeaders ?? options.MaxRequestHeadersTotalSize;
        // connection.bufferLimit bounds Kestrel's per-connection buffers; its request buffer may not be smaller than a
        // request head Kestrel must read whole (Kestrel refuses such limits).
        kestrel.Limits.MaxRequestBufferSize = policy?.BufferLimit is { } buffer
            ? Math.Max(buffer, Math.Max(kestrel.Limits.MaxRequestHeadersTotalSize, kestrel.Limits.MaxRequestLineSize))
            : KestrelDefaults.MaxRequestBuffer;
        kestrel.Limits.MaxResponseBufferSize = policy?.BufferLimit ?? KestrelDefaults.MaxResponseBuffer;
        var h2 = kestrel.Limits.Http2;
        h2.InitialStreamWindowSize = policy?.Http2StreamWindow ?? Http2Defaults.StreamWindow;
        h2.InitialConnectionWindowSize = policy?.Http2ConnectionWindow ?? Http2Defaults.ConnectionWindow;
        h2.MaxStreamsPerConnection = policy?.Http2MaxStreams ?? Http2Defaults.MaxStreams;
    }

    /// <summary>Kestrel's own buffer limits, restored when the port's policy no longer sets connection.bufferLimit.</summary>
    private static class KestrelDefaults
    {
        private static readonly KestrelServerLimits Limits = new KestrelServerOptions().Limits;
        public static readonly long? MaxRequestBuffer = Limits.MaxRequestBufferSize;
        public static readonly long? MaxResponseBuffer = Limits.MaxResponseBufferSize;
    }

    private static (int, int, int) Http2DefaultLimits()
    {
        var h2 = new KestrelServerOptions().Limits.Http2;
        return (h2.InitialStreamWindowSize, h2.InitialConnectionWindowSize, h2.MaxStreamsPerConnection);
    }

    public CompiledPort Current => _current;

    public ConnectionStats Connections { get; } = new();

    private static readonly object TlsDone = new();

    public static async Task<HttpPortServer> StartAsync(IPAddress address, CompiledPort port, HttpRequestHandler handler,
        DataPlaneOptions options, Http1FastPath? fastPath, IServiceProvider services, ILoggerFactory loggerFactory, CancellationToken ct)
    {
        var kestrel = new KestrelServerOptions { ApplicationServices = services, AddServerHeader = false, AllowSynchronousIO = false, AllowAlternateSchemes = true };
        kestrel.Limits.MaxRequestLineSize = options.MaxRequestHeadersTotalSize;
        kestrel.Limits.MaxRequestBodySize = null;
        ApplyLimits(kestrel, options, port);
        kestrel.Limits.Http2.MaxRequestHeaderFieldSize = options.MaxRequestHeadersTotalSize;
        kestrel.Limits.MinRequestBodyDataRate = null;
        kestrel.Limits.MinResponseDataRate = null;
        HttpPortServer? self = null;
        ListenOptions? listen = null;
        kestrel.Listen(address, port.Ir.Port, lo =>
        {
            listen = lo;
            lo.Protocols = HttpProtocols.Http1AndHttp2;
            var https = port.IsHttps;
            lo.Use(next => async connection =>
            {
                var stats = self!.Connections;
                if (connection is HandOffConnection) stats.Resumed(); // counted by the event loop when it accepted
                else if (!stats.TryOpen(self._current.Ir.Connection?.ConnectionLimit))
                {
                    // Over the port's connection limit (ClientTrafficPolicy connection.connectionLimit): closed after
                    // the policy's close delay (nothing is read meanwhile), else now.
                    if (self._current.Ir.Connection?.ConnectionLimitCloseDelay is { } delay && delay > TimeSpan.Zero)
                        await Task.Delay(delay).ConfigureAwait(false);
                    connection.Abort(new ConnectionAbortedException("connection limit reached"));
                    return;
                }
                // connection.socketBufferLimit on sockets Kestrel accepted (the event loop sets it on its own at accept).
                if (connection is not HandOffConnection && self._current.Connection?.SocketBuffer is { } socketBuffer
                    && connection.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionSocketFeature>()?.Socket is { } socket)
                    Policies.ClientTraffic.Connection.ClientSocketBuffers.Apply(socket, socketBuffer, options.ClientSocketBuffersSet);
                try
                {
                    await next(connection).ConfigureAwait(false);
                }
                finally
                {
                    stats.Closed();
                    // A connection closed for its PROXY header never tried a handshake.
                    if (https && !connection.Items.ContainsKey(TlsDone) && !connection.Items.ContainsKey(ProxyProtocolMiddleware.Rejected))
                        stats.Handshake(ok: false);
                }
            });
            // PROXY protocol header, before TLS and anything else; connections the event loop hands off were read
            // past theirs already (their remote end point is the source the header carried).
            var headerTimeout = options.RequestHeadersTimeout;
            lo.Use(next => connection => connection is HandOffConnection ? next(connection)
                : ProxyProtocolMiddleware.OnConnectionAsync(connection, next, self!._current.Ir.Connection?.ProxyProtocol, headerTimeout, self.Connections));
            if (https)
            {
                // TLS the event loop terminated arrives decrypted: past the HTTPS middleware, to what follows it.
                ConnectionDelegate? afterTls = null;
                lo.Use(next => connection => connection is HandOffConnection { Decrypted: true } ? afterTls!(connection) : next(connection));
                lo.UseHttps(new TlsHandshakeCallbackOptions
                {
                    HandshakeTimeout = options.TlsHandshakeTimeout,
                    OnConnection = ctx => ValueTask.FromResult(self!.SelectTls(ctx.ClientHelloInfo.ServerName)),
                });
                lo.Use(next =>
                {
                    afterTls = connection =>
                    {
                        connection.Items[TlsDone] = true; // the loop counted its handshake
                        return next(connection);
                    };
                    return connection =>
                    {
                        connection.Items[TlsDone] = true;
                        self!.Connections.Handshake(ok: true);
                        return next(connection);
                    };
                });
                // After the TLS middleware: the fast path sees the decrypted transport and takes HTTP/1.1 connections
                // (ALPN http/1.1 or none); h2 goes straight on to Kestrel.
                if (fastPath is not null) lo.Use(next => connection => fastPath.OnConnectionAsync(connection, next, self!));
            }
            else
            {
                var timeout = options.KeepAliveTimeout;
                // The HTTP/1.1 fast path sees every connection first and hands what it does not relay (h2c included)
                // to the h2c detection and Kestrel's HTTP pipeline, unconsumed.
                if (fastPath is not null) lo.Use(next => connection => fastPath.OnConnectionAsync(connection, next, self!));
                lo.Use(next => connection => H2cDetection.OnConnectionAsync(connection, next, self!._current.Connection?.Idle ?? timeout));
            }
        });
        // Ports are accepted and served by the fast path's event loops when they run (HTTPS ones when the loops may
        // terminate TLS); Kestrel's socket transport otherwise.
        var loops = port.IsHttps && !(options.LoopTls && Tls.OpenSsl.LibSsl.IsAvailable) ? null : fastPath?.EventLoops;
        var loopTransport = loops is null ? null : new LoopTransportFactory(loops, () => self!);
        IConnectionListenerFactory transport = loopTransport ?? (IConnectionListenerFactory)new SocketTransportFactory(
            Options.Create(new SocketTransportOptions { UnsafePreferInlineScheduling = options.InlineScheduling }), loggerFactory);
        var server = new KestrelServer(Options.Create(kestrel), transport, loggerFactory);
        self = new HttpPortServer(server, kestrel, options, handler, port, loopTransport);
        try
        {
            await server.StartAsync(new Application(self), ct).ConfigureAwait(false);
        }
        catch
        {
            server.Dispose();
            throw;
        }
        self.BoundPort = (listen?.IPEndPoint?.Port) ?? port.Ir.Port;
        return self;
    }

    private SslServerAuthenticationOptions SelectTls(string? sni)
    {
        var port = _current;
        var listener = port.ListenerForSni(sni);
        return listener?.SelectTls(sni)
            ?? throw new System.Security.Authentication.AuthenticationException($"no certificate for server name '{sni}'");
    }

    /// <summary>Stops accepting, lets in-flight requests finish within <paramref name="drain"/>, then aborts.</summary>
    public async Task StopAsync(TimeSpan drain)
    {
        using var cts = new CancellationTokenSource(drain);
        var loopDrain = _loopTransport?.Listener?.DrainAsync(cts.Token) ?? Task.CompletedTask;
        try
        {
            await _server.StopAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Drain timeout: Kestrel aborted what was left.
        }
        await loopDrain.ConfigureAwait(false);
        _server.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);

    private sealed class Application : IHttpApplication<HttpContext>
    {
        private readonly HttpPortServer _owner;

        public Application(HttpPortServer owner) => _owner = owner;

        public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

        public Task ProcessRequestAsync(HttpContext context)
        {
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            var task = _owner._handler.HandleAsync(context, _owner._current, start);
            if (task.IsCompletedSuccessfully)
            {
                _owner._handler.Completed(context, aborted: false);
                return task;
            }
            return CompleteAsync(task, context);
        }

        private async Task CompleteAsync(Task task, HttpContext context)
        {
            var aborted = true;
            try
            {
                await task.ConfigureAwait(false);
                aborted = context.RequestAborted.IsCancellationRequested;
            }
            finally
            {
                _owner._handler.Completed(context, aborted);
            }
        }

        public void DisposeContext(HttpContext context, Exception? exception)
        {
        }
    }
}
