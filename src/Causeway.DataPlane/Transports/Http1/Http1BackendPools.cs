using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.Transports.Http1;

/// <summary>
/// The fast path's backend connection pools, one per endpoint address and port, shared across applies (an apply
/// that no longer names an endpoint closes its idle connections). A timer closes connections idle for longer than
/// <see cref="DataPlaneOptions.BackendPooledConnectionIdleTimeout"/>.
/// </summary>
internal sealed class Http1BackendPools : IDisposable
{
    private readonly Timer _sweep;
    private readonly object _lock = new();
    private Dictionary<string, Http1EndpointPool> _pools = new(StringComparer.Ordinal);
    private Dictionary<string, Http1EndpointPool> _used = new(StringComparer.Ordinal);
    private bool _disposed;

    public Http1BackendPools(DataPlaneOptions options, ILogger logger)
    {
        Options = options;
        _logger = logger;
        // The backend pipes schedule like the frontend's (DataPlaneOptions.InlineScheduling); the relay never blocks.
        Factory = new SocketConnectionContextFactory(
            new SocketConnectionFactoryOptions { UnsafePreferInlineScheduling = options.InlineScheduling }, logger);
        var period = TimeSpan.FromMilliseconds(Math.Clamp(options.BackendPooledConnectionIdleTimeout.TotalMilliseconds / 4, 100, 5000));
        _sweep = new Timer(static s => ((Http1BackendPools)s!).Sweep(), this, period, period);
    }

    public DataPlaneOptions Options { get; }
    public SocketConnectionContextFactory Factory { get; }

    private readonly ILogger _logger;
    private readonly Dictionary<int, SocketConnectionContextFactory> _bounded = [];

    /// <summary>
    /// The socket pipes' factory for connections whose buffers a BackendTrafficPolicy <c>connection.bufferLimit</c>
    /// bounds (0: the default one): the input pipe stops reading the socket, and the output pipe makes writers wait,
    /// beyond <paramref name="limit"/> bytes. One per limit, kept for the data plane's life.
    /// </summary>
    public SocketConnectionContextFactory FactoryFor(int limit)
    {
        if (limit <= 0) return Factory;
        lock (_bounded)
        {
            if (!_bounded.TryGetValue(limit, out var factory))
                _bounded[limit] = factory = new SocketConnectionContextFactory(new SocketConnectionFactoryOptions
                {
                    UnsafePreferInlineScheduling = Options.InlineScheduling,
                    MaxReadBufferSize = limit,
                    MaxWriteBufferSize = limit,
                }, _logger);
            return factory;
        }
    }

    public void BeginApply()
    {
        lock (_lock) _used = new Dictionary<string, Http1EndpointPool>(StringComparer.Ordinal);
    }

    /// <summary>
    /// The pools for a backend's endpoints, in endpoint order (IP endpoints and Unix domain sockets); null when an
    /// address is neither an IP address nor a socket path.
    /// </summary>
    public Http1EndpointPool[]? Get(Translation.Ir.BackendIr backend)
    {
        foreach (var e in backend.Endpoints)
        {
            if (e.Kind != Translation.Ir.EndpointKind.Unix && !IPAddress.TryParse(e.Address, out _)) return null;
        }
        var result = new Http1EndpointPool[backend.Endpoints.Count];
        lock (_lock)
        {
            for (var i = 0; i < result.Length; i++)
            {
                var e = backend.Endpoints[i];
                var unix = e.Kind == Translation.Ir.EndpointKind.Unix;
                var key = unix ? "unix:" + e.Address : e.Address + "|" + e.Port.ToString(CultureInfo.InvariantCulture);
                // Connections opened with other settings (a policy's connect timeout, keep-alive) are pooled apart.
                if (backend.Connection is { } connection) key += "|" + connection;
                if (!_used.TryGetValue(key, out var pool))
                {
                    if (!_pools.TryGetValue(key, out pool))
                        pool = new Http1EndpointPool(this, key, unix
                            ? new System.Net.Sockets.UnixDomainSocketEndPoint(e.Address)
                            : new IPEndPoint(IPAddress.Parse(e.Address), e.Port), backend.Connection);
                    _used[key] = pool;
                }
                result[i] = pool;
            }
        }
        return result;
    }

    /// <summary>Commits an apply: pools of endpoints no longer named close their idle connections.</summary>
    public void EndApply()
    {
        List<Http1EndpointPool> retired = [];
        lock (_lock)
        {
            foreach (var (key, pool) in _pools)
            {
                if (!_used.ContainsKey(key)) retired.Add(pool);
            }
            _pools = _used;
        }
        foreach (var p in retired) p.CloseAll();
    }

    /// <summary>For tests: the pool of an endpoint (the first, whatever its connection settings), if any.</summary>
    internal Http1EndpointPool? Find(string address, int port)
    {
        var key = address + "|" + port.ToString(CultureInfo.InvariantCulture);
        lock (_lock)
        {
            return _pools.GetValueOrDefault(key)
                ?? _pools.Where(kv => kv.Key.StartsWith(key + "|", StringComparison.Ordinal)).Select(kv => kv.Value).FirstOrDefault();
        }
    }

    private void Sweep()
    {
        Http1EndpointPool[] pools;
        lock (_lock)
        {
            if (_disposed) return;
            pools = [.. _pools.Values];
        }
        var now = Environment.TickCount64;
        var idle = (long)Options.BackendPooledConnectionIdleTimeout.TotalMilliseconds;
        foreach (var p in pools) p.Sweep(now, idle);
    }

    public void Dispose()
    {
        Http1EndpointPool[] pools;
        lock (_lock)
        {
            _disposed = true;
            pools = [.. _pools.Values, .. _used.Values];
            _pools = new Dictionary<string, Http1EndpointPool>(StringComparer.Ordinal);
        }
        _sweep.Dispose();
        foreach (var p in pools) p.CloseAll();
        Factory.Dispose();
        lock (_bounded)
        {
            foreach (var f in _bounded.Values) f.Dispose();
            _bounded.Clear();
        }
    }

    /// <summary>Whether a backend is one the byte transports can talk to (cleartext HTTP/1.1).</summary>
    public static bool Serves(Translation.Ir.BackendIr backend) =>
        backend.Tls is null && backend.Protocol is Translation.Ir.BackendProtocol.Http1 or Translation.Ir.BackendProtocol.WebSocket;
}
