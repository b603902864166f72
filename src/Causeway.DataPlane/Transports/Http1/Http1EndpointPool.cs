using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Causeway.DataPlane.Transports.Http1;

/// <summary>A pooled backend connection: Kestrel's socket pipes over a connected socket.</summary>
internal sealed class Http1BackendConnection
{
    private readonly ConnectionContext _context;

    private Http1EndpointPool? _pool;
    private int _closed;

    public Http1BackendConnection(ConnectionContext context, Socket? socket = null, Http1EndpointPool? pool = null)
    {
        _context = context;
        _pool = pool;
        Socket = socket;
        Input = context.Transport.Input;
        Output = context.Transport.Output;
    }

    public PipeReader Input { get; }
    public PipeWriter Output { get; }

    /// <summary>The connected socket, in non-blocking mode, when the fast path may send on it directly.</summary>
    public Socket? Socket { get; }

    /// <summary>
    /// Set once anything went through <see cref="Output"/>: its send loop may still hold bytes, so direct sends would
    /// overtake them; such a connection keeps writing through the pipe.
    /// </summary>
    public bool PipeUsed { get; set; }

    public bool CanSendDirect => Socket is not null && !PipeUsed;

    /// <summary>Set when the connection came from the idle pool (it may have been closed by the backend meanwhile).</summary>
    public bool Reused { get; set; }
    public long IdleSince { get; set; }

    /// <summary>Requests sent on this connection so far (<see cref="Http1EndpointPool.Spent"/>).</summary>
    public long Requests { get; set; }

    /// <summary>Closes the connection; disposal finishes in the background.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        _pool?.ConnectionClosed();
        _context.Abort();
        _ = DisposeQuietlyAsync(_context);
    }

    private static async Task DisposeQuietlyAsync(ConnectionContext context)
    {
        try
        {
            await context.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already torn down; nothing to release.
        }
    }
}

/// <summary>
/// Idle keep-alive connections to one backend endpoint, reused most-recent-first, bounded, expired after the idle
/// timeout by <see cref="Http1BackendPools"/>' sweep. Shared by every route and apply that names the endpoint.
/// </summary>
internal sealed class Http1EndpointPool
{
    private readonly Http1BackendPools _owner;
    private readonly List<Http1BackendConnection> _idle = [];
    private volatile bool _closed;
    private int _loopIdle;

    private readonly Policies.CircuitBreaker.CircuitBreakerGate? _connections;
    private readonly Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketConnectionContextFactory _factory;

    public Http1EndpointPool(Http1BackendPools owner, string key, EndPoint endpoint, Translation.Ir.BackendConnectionIr? connection = null)
    {
        _owner = owner;
        Key = key;
        EndPoint = endpoint;
        ConnectTimeout = connection?.ConnectTimeout;
        Keepalive = connection?.TcpKeepalive;
        MaxRequestsPerConnection = connection?.MaxRequestsPerConnection ?? 0;
        ProxyProtocol = connection?.ProxyProtocol;
        if (connection?.MaxConnectionsPerEndpoint is { } max) _connections = new Policies.CircuitBreaker.CircuitBreakerGate(max);
        BufferLimit = connection?.BufferLimit is { } limit ? (int)Math.Clamp(limit, MinBuffer, int.MaxValue) : 0;
        _factory = owner.FactoryFor(BufferLimit);
    }

    /// <summary>The smallest read buffer a <see cref="BufferLimit"/> gives.</summary>
    public const int MinBuffer = 1024;

    /// <summary>
    /// BackendTrafficPolicy <c>proxyProtocol</c> of the backend: every new connection starts with a PROXY header naming
    /// the client connection, and is reused only by that client connection (null: none, pooled for everyone).
    /// </summary>
    public Translation.Ir.BackendProxyProtocolVersion? ProxyProtocol { get; }

    /// <summary>
    /// BackendTrafficPolicy <c>connection.bufferLimit</c> in bytes (0: not set): the relay's backend pipes pause reading
    /// from (and writing to) the socket beyond it, the event loop reads the backend in buffers of at most this size.
    /// </summary>
    public int BufferLimit { get; }

    /// <summary>BackendTrafficPolicy <c>circuitBreaker.perEndpoint.maxConnections</c> (0: unlimited).</summary>
    public long MaxConnections => _connections?.Limit ?? 0;

    /// <summary>Connections to this endpoint open now (counted only under <c>perEndpoint.maxConnections</c>).</summary>
    public long OpenConnections => _connections?.InFlight ?? 0;

    /// <summary>
    /// Takes the slot a new connection needs; false when the endpoint has <see cref="MaxConnections"/> open already
    /// (the request is answered 503 overloaded, <see cref="Upstream.UpstreamFailure.Overflow"/>). The slot is given back
    /// by <see cref="ConnectionClosed"/> when the connection closes (or its connect fails).
    /// </summary>
    /// <param name="first">
    /// The caller (an event loop) has no connection of its own to the endpoint: it may open one anyway, as an Envoy worker
    /// whose pool has none always does, so idle connections held by other loops never starve it.
    /// </param>
    public bool TryOpenConnection(bool first = false)
    {
        if (_connections is not { } gate || gate.TryEnter()) return true;
        if (!first) return false;
        gate.Enter();
        return true;
    }

    /// <summary>A connection counted by <see cref="TryOpenConnection"/> closed.</summary>
    public void ConnectionClosed() => _connections?.Release();

    /// <summary>BackendTrafficPolicy <c>circuitBreaker.maxRequestsPerConnection</c> of the backend (0: unlimited).</summary>
    public long MaxRequestsPerConnection { get; }

    /// <summary>
    /// Whether a connection that served <paramref name="requests"/> requests is done: it is closed rather than pooled
    /// (the relay's connections and the event loops' alike).
    /// </summary>
    public bool Spent(long requests) => MaxRequestsPerConnection > 0 && requests >= MaxRequestsPerConnection;

    public string Key { get; }
    public EndPoint EndPoint { get; }

    /// <summary><see cref="EndPoint"/> as UTF-8 text (the access log's upstream_host), made on first use.</summary>
    public byte[] EndPointText => _endPointText ??= System.Text.Encoding.UTF8.GetBytes(EndPoint.ToString() ?? "");

    private byte[]? _endPointText;

    /// <summary>The backend's connect timeout (BackendTrafficPolicy <c>timeout.tcp.connectTimeout</c>); null: the data plane's.</summary>
    public TimeSpan? ConnectTimeout { get; }

    /// <summary>Keep-alive probes on this pool's connections (BackendTrafficPolicy <c>tcpKeepalive</c>), or null.</summary>
    public Translation.Ir.TcpKeepaliveIr? Keepalive { get; }

    /// <summary>For tests: idle connections right now (this pool's and the event loops').</summary>
    public int IdleCount
    {
        get
        {
            lock (_idle) return _idle.Count + Volatile.Read(ref _loopIdle);
        }
    }

    /// <summary>Retired: an apply no longer names the endpoint; idle connections close, returned ones too.</summary>
    public bool IsClosed => _closed;

    /// <summary>An event loop's idle connections to this endpoint went up or down by <paramref name="delta"/>.</summary>
    public void LoopIdleChanged(int delta) => Interlocked.Add(ref _loopIdle, delta);

    /// <summary>An idle connection that is still open and quiet, or null.</summary>
    public Http1BackendConnection? TryRent()
    {
        while (true)
        {
            Http1BackendConnection c;
            lock (_idle)
            {
                if (_idle.Count == 0) return null;
                c = _idle[^1];
                _idle.RemoveAt(_idle.Count - 1);
            }
            // A pooled connection must have nothing to read: data or end-of-stream means the backend is done with it.
            if (c.Input.TryRead(out var r))
            {
                c.Input.AdvanceTo(r.Buffer.Start);
                c.Close();
                continue;
            }
            c.Reused = true;
            return c;
        }
    }

    /// <summary>
    /// Connects a new socket within the connect timeout, after <see cref="TryOpenConnection"/> (whose slot the
    /// connection then holds, or this gives back when it fails); <paramref name="proxyHeader"/> (the client's PROXY
    /// header, when <see cref="ProxyProtocol"/> is set) is sent first.
    /// </summary>
    public async ValueTask<Http1BackendConnection> ConnectAsync(CancellationToken ct, byte[]? proxyHeader = null)
    {
        var unix = EndPoint.AddressFamily == AddressFamily.Unix;
        var socket = new Socket(EndPoint.AddressFamily, SocketType.Stream, unix ? ProtocolType.Unspecified : ProtocolType.Tcp);
        if (!unix) socket.NoDelay = true;
        try
        {
            Upstream.BackendSocketOptions.Apply(socket, Keepalive);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ConnectTimeout ?? _owner.Options.BackendConnectTimeout);
            await socket.ConnectAsync(EndPoint, timeout.Token).ConfigureAwait(false);
            if (proxyHeader is not null) await SendAllAsync(socket, proxyHeader, timeout.Token).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            ConnectionClosed();
            throw;
        }
        Socket? direct = null;
        if (_owner.Options.Http1DirectSend)
        {
            socket.Blocking = false; // sends that the kernel can not take at once return instead of blocking
            direct = socket;
        }
        return new Http1BackendConnection(_factory.Create(socket), direct, _connections is null ? null : this);
    }

    private static async ValueTask SendAllAsync(Socket socket, byte[] bytes, CancellationToken ct)
    {
        var sent = 0;
        while (sent < bytes.Length) sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, ct).ConfigureAwait(false);
    }

    /// <summary>Keeps a connection after a complete keep-alive exchange (closes it when the pool is full or retired, or it is <see cref="Spent"/>).</summary>
    public void Return(Http1BackendConnection c)
    {
        if (Spent(c.Requests))
        {
            c.Close();
            return;
        }
        c.IdleSince = Environment.TickCount64;
        lock (_idle)
        {
            if (!_closed && _idle.Count < _owner.Options.Http1MaxIdleConnectionsPerEndpoint)
            {
                _idle.Add(c);
                return;
            }
        }
        c.Close();
    }

    /// <summary>Closes idle connections older than the idle timeout (oldest are at the front).</summary>
    public void Sweep(long now, long idleMs)
    {
        List<Http1BackendConnection>? expired = null;
        lock (_idle)
        {
            var n = 0;
            while (n < _idle.Count && now - _idle[n].IdleSince >= idleMs) n++;
            if (n == 0) return;
            expired = _idle.GetRange(0, n);
            _idle.RemoveRange(0, n);
        }
        foreach (var c in expired) c.Close();
    }

    /// <summary>Closes every idle connection and refuses new ones.</summary>
    public void CloseAll()
    {
        Http1BackendConnection[] all;
        lock (_idle)
        {
            _closed = true;
            all = [.. _idle];
            _idle.Clear();
        }
        foreach (var c in all) c.Close();
    }
}
