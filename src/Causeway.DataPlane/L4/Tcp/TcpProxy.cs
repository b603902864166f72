using System.Collections.Concurrent;
using System.Net.Sockets;
using Causeway.DataPlane.L4.Tls;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.L4.Tcp;

/// <summary>
/// A raw-socket accept loop for a TCP or TLS port. Each connection reads the routing generation current at accept
/// time, picks a backend and splices. An idle sweeper closes connections without traffic.
/// </summary>
internal sealed class TcpProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<L4RouteTable> _table;
    private readonly L4ServerOptions _options;
    private readonly L4Metrics _metrics;
    private readonly ILogger _logger;
    private readonly TlsConnectionHandler? _tls;
    private readonly ConcurrentDictionary<long, TcpConnection> _connections = new();
    private readonly CancellationTokenSource _stop;
    private long _nextId;
    private int _disposed;
    private Task _acceptLoop = Task.CompletedTask;
    private Task _sweepLoop = Task.CompletedTask;

    public TcpProxy(
        Socket listener, PortProtocol protocol, Func<L4RouteTable> table, L4ServerOptions options, L4Metrics metrics,
        ILogger logger, TlsConnectionHandler? tls, CancellationToken ct)
    {
        _listener = listener;
        _table = table;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _tls = protocol == PortProtocol.Tls ? tls ?? throw new ArgumentNullException(nameof(tls)) : null;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
    }

    public void Start()
    {
        _acceptLoop = Task.Run(() => AcceptLoopAsync(_stop.Token));
        _sweepLoop = Task.Run(() => SweepLoopAsync(_stop.Token));
    }

    public int ActiveConnections => _connections.Count;

    private async Task AcceptLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (ct.IsCancellationRequested) return;
                _logger.LogWarning("Accept failed on port {Port}: {Error}", _table().Port.Port, e.SocketErrorCode);
                try { await Task.Delay(50, ct).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
                continue;
            }
            client.NoDelay = true;
            if (_table().Port.Connection is { ConnectionLimit: { } limit } policy && _connections.Count >= limit)
            {
                // ClientTrafficPolicy connection.connectionLimit: over the limit, closed (after the close delay, if any).
                _metrics.ConnectionRefused();
                _ = CloseAfterAsync(client, policy.ConnectionLimitCloseDelay ?? TimeSpan.Zero);
                continue;
            }
            var connection = new TcpConnection(Interlocked.Increment(ref _nextId), client, ct);
            _connections[connection.Id] = connection;
            _metrics.ConnectionAccepted();
            _ = Task.Run(() => RunConnectionAsync(connection), CancellationToken.None);
        }
    }

    private static async Task CloseAfterAsync(Socket client, TimeSpan delay)
    {
        try
        {
            if (delay > TimeSpan.Zero) await Task.Delay(delay).ConfigureAwait(false);
        }
        finally
        {
            client.Dispose();
        }
    }

    private async Task RunConnectionAsync(TcpConnection connection)
    {
        var table = _table();
        try
        {
            if (table.Port.Connection?.ProxyProtocol is { } proxyProtocol
                && await DownstreamProxyHeader.ReadAsync(connection, proxyProtocol, _options.TlsHandshakeTimeout).ConfigureAwait(false) is { } refusal)
            {
                Refuse(connection, refusal);
                return;
            }
            if (_tls is not null) await _tls.HandleAsync(this, connection, table).ConfigureAwait(false);
            else await HandlePlainAsync(connection, table).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            if (connection.IdleClosed) _logger.LogDebug("Connection {Id} closed after the idle timeout", connection.Id);
            else _logger.LogDebug("Connection {Id} ended: {Error}", connection.Id, e.Message);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Connection {Id} on port {Port} failed", connection.Id, table.Port.Port);
        }
        finally
        {
            _connections.TryRemove(connection.Id, out _);
            if (connection.IdleClosed) _metrics.ConnectionIdleClosed();
            LogConnection(connection, table);
            connection.Dispose();
            _metrics.ConnectionClosed();
        }
    }

    private async Task HandlePlainAsync(TcpConnection connection, L4RouteTable table)
    {
        var route = table.FirstRoute();
        if (route is null)
        {
            connection.RefusalFlag = "NR";
            Refuse(connection, "no route");
            return;
        }
        var backendSocket = await ConnectBackendAsync(connection, table, route).ConfigureAwait(false);
        if (backendSocket is null) return;
        await using var clientStream = new NetworkStream(connection.Client, ownsSocket: false);
        await using var backendStream = new NetworkStream(backendSocket, ownsSocket: false);
        if (connection.Pending.Length > 0)
        {
            // What the client sent right after its PROXY header.
            await backendStream.WriteAsync(connection.Pending, connection.Token).ConfigureAwait(false);
            Interlocked.Add(ref connection.BytesFromClient, connection.Pending.Length);
            _metrics.AddBytesFromClient(connection.Pending.Length);
            connection.Pending = [];
        }
        await StreamSplicer.SpliceAsync(connection, clientStream, backendStream, backendSocket, _metrics, BufferSize(connection))
            .ConfigureAwait(false);
    }

    /// <summary>One access log line per connection, Envoy-style (protocol TCP, no status; the flags say why it ended early).</summary>
    private void LogConnection(TcpConnection c, L4RouteTable table)
    {
        var custom = table.AccessLog;
        var log = _options.AccessLog is { Format: not Telemetry.AccessLog.AccessLogFormat.Off } l ? l : null;
        if (custom is null && log is null) return;
        var upstream = c.UpstreamEndPoint?.ToString();
        var remote = c.RemoteEndPoint?.ToString();
        var entry = new Telemetry.AccessLog.AccessLogEntry
        {
            StartTime = c.Started,
            Protocol = table.Port.Protocol == PortProtocol.Tls ? "TLS" : "TCP",
            ResponseFlags = c.RefusalFlag ?? (c.IdleClosed ? "SI" : "-"),
            BytesReceived = Interlocked.Read(ref c.BytesFromClient),
            BytesSent = Interlocked.Read(ref c.BytesToClient),
            DurationMs = (long)System.Diagnostics.Stopwatch.GetElapsedTime(c.StartTimestamp).TotalMilliseconds,
            UpstreamHost = upstream,
            UpstreamCluster = c.ChosenBackend?.Id,
            DownstreamRemoteAddress = remote,
            RequestedServerName = c.ServerName,
            DownstreamLocalAddress = custom is null ? null : LocalAddress(c),
            HeaderNames = custom is null ? null : [],
        };
        if (custom is not null) custom.RecordConnection(entry, routed: c.RefusalFlag != "NR");
        else log!.Enqueue(entry);
    }

    private static string? LocalAddress(TcpConnection c)
    {
        try
        {
            return c.Client.LocalEndPoint?.ToString();
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>Chooses a backend of <paramref name="route"/> and connects; refuses the client (and returns null) on failure.</summary>
    internal async Task<Socket?> ConnectBackendAsync(TcpConnection connection, L4RouteTable table, L4RouteIr route)
    {
        var backend = table.ChooseBackend(route, out var refusal);
        if (backend is null)
        {
            connection.RefusalFlag = "UH";
            Refuse(connection, refusal ?? "no backend");
            return null;
        }
        var policy = table.Policy(route, backend);
        if (policy?.Connections is { } gate)
        {
            if (!gate.TryEnter())
            {
                connection.RefusalFlag = "UO";
                connection.ChosenBackend = backend;
                Refuse(connection, "route " + route.Name + " holds circuitBreaker.maxConnections (" + gate.Limit + ") connections");
                return null;
            }
            connection.OnDispose(gate.Release);
        }
        connection.BufferSize = policy?.BufferSize(_options.BufferSize) ?? _options.BufferSize;
        var socket = await BackendConnector.ConnectAsync(table, backend, policy, connection, _options, _metrics, _logger)
            .ConfigureAwait(false);
        if (socket is null)
        {
            _metrics.BackendConnectFailed();
            connection.RefusalFlag = "UF";
            connection.ChosenBackend = backend;
            Refuse(connection, "backend " + backend.Id + " unreachable");
            return null;
        }
        connection.Backend = socket;
        connection.ChosenBackend = backend;
        connection.UpstreamEndPoint = socket.RemoteEndPoint;
        connection.Touch();
        return socket;
    }

    /// <summary>The splice buffer size for <paramref name="connection"/> (its route's buffer limit, or the server's).</summary>
    internal int BufferSize(TcpConnection connection) => connection.BufferSize > 0 ? connection.BufferSize : _options.BufferSize;

    internal void Refuse(TcpConnection connection, string reason)
    {
        _metrics.ConnectionRefused();
        _logger.LogDebug("Connection {Id} on port {Port} refused: {Reason}", connection.Id, _table().Port.Port, reason);
        try { connection.Client.Shutdown(SocketShutdown.Both); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        connection.Client.Close();
    }

    /// <summary>
    /// Closes connections idle for longer than the port's ClientTrafficPolicy <c>timeout.tcp.idleTimeout</c> (zero: never)
    /// or, without one, the data plane's; read on every sweep, so a new policy applies to open connections too.
    /// </summary>
    private async Task SweepLoopAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var idle = _table().Port.Connection?.TcpIdleTimeout ?? _options.TcpIdleTimeout;
                await Task.Delay(L4ServerOptions.SweepPeriod(idle > TimeSpan.Zero ? idle : _options.TcpIdleTimeout), ct).ConfigureAwait(false);
                if (idle <= TimeSpan.Zero) continue;
                var idleMs = (long)idle.TotalMilliseconds;
                var now = Environment.TickCount64;
                foreach (var connection in _connections.Values)
                    if (now - connection.LastActivity >= idleMs) connection.AbortIdle();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        _listener.Dispose();
        foreach (var connection in _connections.Values) connection.Abort();
        await Task.WhenAll(_acceptLoop, _sweepLoop).WaitAsync(_options.DisposeTimeout, CancellationToken.None)
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var deadline = Environment.TickCount64 + (long)_options.DisposeTimeout.TotalMilliseconds;
        while (!_connections.IsEmpty && Environment.TickCount64 < deadline)
            await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
        foreach (var connection in _connections.Values) connection.Dispose();
        _stop.Dispose();
    }
}
