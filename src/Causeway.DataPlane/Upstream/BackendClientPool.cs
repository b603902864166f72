using System.Net;
using System.Net.Sockets;
using Causeway.Model;
using Causeway.DataPlane.Tls;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.Upstream;

/// <summary>
/// One <see cref="HttpMessageInvoker"/> (one <see cref="SocketsHttpHandler"/> and so one connection pool) per
/// Gateway and backend id, shared by every route. Recreated only when the backend's protocol, TLS settings or the
/// Gateway's client certificate change; unused invokers are disposed after the drain timeout.
/// </summary>
internal sealed class BackendClientPool : IAsyncDisposable
{
    private readonly DataPlaneOptions _options;
    private readonly CertificateStore _certificates;
    private readonly ILogger _logger;
    private Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private Dictionary<string, Entry> _used = new(StringComparer.Ordinal);
    private readonly List<Task> _retiring = [];
    private readonly CancellationTokenSource _disposing = new();

    private sealed record Shape(bool Http2, BackendTlsIr? Tls, TlsCertificateIr? ClientCertificate, EquatableArray<string> UnixPaths, BackendConnectionIr? Connection = null);
    private sealed record Entry(Shape Shape, HttpMessageInvoker Invoker);

    public BackendClientPool(DataPlaneOptions options, CertificateStore certificates, ILogger logger)
    {
        _options = options;
        _certificates = certificates;
        _logger = logger;
    }

    public void BeginApply() => _used = new Dictionary<string, Entry>(StringComparer.Ordinal);

    public HttpMessageInvoker Get(string gateway, BackendIr backend, TlsCertificateIr? clientCertificate)
    {
        var key = gateway + "|" + backend.Id;
        var shape = new Shape(backend.Protocol == BackendProtocol.H2c, backend.Tls, backend.Tls is null ? null : backend.Tls.ClientCertificate ?? clientCertificate, UnixSockets.Paths(backend), backend.Connection);
        if (_used.TryGetValue(key, out var e) && e.Shape == shape) return e.Invoker;
        if (!_entries.TryGetValue(key, out e) || e.Shape != shape)
            e = new Entry(shape, Create(shape));
        _used[key] = e;
        return e.Invoker;
    }

    /// <summary>Commits the apply: invokers no longer used are disposed once in-flight requests had time to finish.</summary>
    public void EndApply()
    {
        var retired = _entries.Where(kv => !_used.TryGetValue(kv.Key, out var u) || !ReferenceEquals(u.Invoker, kv.Value.Invoker))
            .Select(kv => kv.Value.Invoker).ToList();
        _entries = _used;
        if (retired.Count == 0) return;
        lock (_retiring)
        {
            _retiring.RemoveAll(t => t.IsCompleted);
            _retiring.Add(RetireAsync(retired, _options.DrainTimeout, _disposing.Token));
        }
    }

    private static async Task RetireAsync(List<HttpMessageInvoker> invokers, TimeSpan delay, CancellationToken disposing)
    {
        try
        {
            await Task.Delay(delay, disposing).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The data plane is being disposed: release now.
        }
        foreach (var i in invokers) i.Dispose();
    }

    /// <summary>For tests: the invoker currently used for a backend, if any.</summary>
    internal HttpMessageInvoker? Current(string gateway, string backendId) =>
        _entries.TryGetValue(gateway + "|" + backendId, out var e) ? e.Invoker : null;

    private HttpMessageInvoker Create(Shape shape)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = null,
            ConnectTimeout = shape.Connection?.ConnectTimeout ?? _options.BackendConnectTimeout,
            PooledConnectionIdleTimeout = _options.BackendPooledConnectionIdleTimeout,
        };
        if (BackendConnector.Needed(shape.UnixPaths, shape.Connection, shape.Tls is not null))
        {
            var clientCert = shape.Tls is null || shape.ClientCertificate is null ? null : _certificates.Get(shape.ClientCertificate).Leaf;
            var tls = shape.Tls is null ? null : new BackendTlsConnector(shape.Tls, shape.Http2, clientCert, shape.UnixPaths, shape.Connection?.TcpKeepalive);
            handler.ConnectCallback = new BackendConnector(shape.UnixPaths, shape.Connection, tls, shape.Http2).ConnectAsync;
        }
        _logger.LogDebug("Created backend connection pool (h2: {Http2}, tls: {Tls})", shape.Http2, shape.Tls?.Hostname);
        return new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var e in _entries.Values) e.Invoker.Dispose();
        _entries.Clear();
        await _disposing.CancelAsync().ConfigureAwait(false);
        Task[] pending;
        lock (_retiring) pending = [.. _retiring];
        await Task.WhenAll(pending).ConfigureAwait(false);
        _disposing.Dispose();
    }
}
