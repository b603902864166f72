using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Causeway.DataPlane.Policies.CircuitBreaker;
using Causeway.Model;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Upstream;

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> of a backend's invoker (the Kestrel + YARP transport): connects
/// to the endpoint (TCP or a Unix socket, <see cref="UnixSockets"/>; the one a <see cref="ProxiedConnections"/> name
/// stands for), with the backend's keep-alive, takes the endpoint's connection slot
/// (<c>circuitBreaker.perEndpoint.maxConnections</c>, given back when the connection is disposed; none free:
/// <see cref="EndpointOverflowException"/>), writes the request's PROXY header (<c>proxyProtocol</c>; a LOCAL one for
/// connections no client request opened, e.g. health checks) first, then runs
/// TLS when the backend has it (<see cref="Tls.BackendTlsConnector"/>).
/// </summary>
internal sealed class BackendConnector
{
    private readonly EquatableArray<string> _unixPaths;
    private readonly TcpKeepaliveIr? _keepalive;
    private readonly Tls.BackendTlsConnector? _tls;
    private readonly long _maxConnections;
    private readonly ConcurrentDictionary<string, CircuitBreakerGate>? _gates;
    private readonly byte[]? _localHeader;

    public BackendConnector(EquatableArray<string> unixPaths, BackendConnectionIr? connection, Tls.BackendTlsConnector? tls)
    {
        _unixPaths = unixPaths;
        _keepalive = connection?.TcpKeepalive;
        _tls = tls;
        // Connections no client request asked for (health checks, ext auth) start with a LOCAL header.
        if (connection?.ProxyProtocol is { } version) _localHeader = Transports.ProxyProtocol.ProxyHeaderWriter.Build(version, null, null);
        if (connection?.MaxConnectionsPerEndpoint is { } max)
        {
            _maxConnections = max;
            _gates = new ConcurrentDictionary<string, CircuitBreakerGate>(StringComparer.OrdinalIgnoreCase);
        }
    }

    /// <summary>Whether a backend's invoker needs this callback (else SocketsHttpHandler connects by itself).</summary>
    public static bool Needed(EquatableArray<string> unixPaths, BackendConnectionIr? connection, bool tls) =>
        tls || unixPaths.Count > 0 || connection is { TcpKeepalive: not null } or { ProxyProtocol: not null } or { MaxConnectionsPerEndpoint: not null };

    /// <summary>For tests: connections open to an endpoint (<c>host:port</c>) under <c>perEndpoint.maxConnections</c>.</summary>
    internal long Open(string endpoint) => _gates is not null && _gates.TryGetValue(endpoint, out var g) ? g.InFlight : 0;

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var target = ProxiedConnections.Target(context.DnsEndPoint);
        CircuitBreakerGate? gate = null;
        if (_gates is not null)
        {
            var key = target.Host + ":" + target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            gate = _gates.GetOrAdd(key, static (_, max) => new CircuitBreakerGate(max), _maxConnections);
            if (!gate.TryEnter()) throw new EndpointOverflowException(key);
        }
        Stream? stream = null;
        try
        {
            var socket = await UnixSockets.ConnectAsync(target, _unixPaths, ct, _keepalive).ConfigureAwait(false);
            stream = gate is null ? new NetworkStream(socket, ownsSocket: true) : new GatedStream(socket, gate);
            gate = null; // the stream gives the slot back when disposed
            if (context.InitialRequestMessage.Options.TryGetValue(ProxiedConnections.HeaderKey, out var header) || (header = _localHeader) is not null)
                await stream.WriteAsync(header, ct).ConfigureAwait(false);
            return _tls is null ? stream : await _tls.AuthenticateAsync(stream, ct).ConfigureAwait(false);
        }
        catch
        {
            gate?.Release();
            if (stream is not null) await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A socket's stream holding its endpoint's connection slot until disposed.</summary>
    private sealed class GatedStream(Socket socket, CircuitBreakerGate gate) : NetworkStream(socket, ownsSocket: true)
    {
        private int _released;

        protected override void Dispose(bool disposing)
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
            base.Dispose(disposing);
        }
    }
}
