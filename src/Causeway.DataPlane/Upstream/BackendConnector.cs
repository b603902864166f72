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
/// TLS when the backend has it (<see cref="Tls.BackendTlsConnector"/>); with <c>maxRequestsPerConnection</c> above 1 an
/// HTTP/1.1 connection counts its requests (<see cref="CountedStream"/>).
/// </summary>
internal sealed class BackendConnector
{
    private readonly EquatableArray<string> _unixPaths;
    private readonly TcpKeepaliveIr? _keepalive;
    private readonly Tls.BackendTlsConnector? _tls;
    private readonly long _maxConnections;
    private readonly ConcurrentDictionary<string, CircuitBreakerGate>? _gates;
    private readonly byte[]? _localHeader;
    private readonly long _maxRequests;

    public BackendConnector(EquatableArray<string> unixPaths, BackendConnectionIr? connection, Tls.BackendTlsConnector? tls, bool http2 = false)
    {
        // maxRequestsPerConnection above 1 is counted on HTTP/1.1 connections (1 is asked of the backend: Connection: close).
        _maxRequests = !http2 && connection?.MaxRequestsPerConnection is { } perConnection and > 1 ? perConnection : 0;
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
        tls || unixPaths.Count > 0 || connection is { TcpKeepalive: not null } or { ProxyProtocol: not null } or { MaxConnectionsPerEndpoint: not null } or { MaxRequestsPerConnection: > 1 };

    /// <summary>Whether forwarding attempts to this backend run under a <see cref="CountedStream.Mark"/>.</summary>
    public static bool CountsRequests(BackendIr backend) => backend.Protocol != BackendProtocol.H2c && backend.Connection?.MaxRequestsPerConnection > 1;

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
            if (_tls is not null) stream = await _tls.AuthenticateAsync(stream, ct).ConfigureAwait(false);
            // An HTTP/1.1 connection counts its requests (not an HTTP/2 one: prior knowledge, or h2 by ALPN).
            if (_maxRequests > 0 && context.InitialRequestMessage.Version.Major < 2
                && (stream as System.Net.Security.SslStream)?.NegotiatedApplicationProtocol != System.Net.Security.SslApplicationProtocol.Http2)
                stream = new CountedStream(stream, _maxRequests);
            return stream;
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
