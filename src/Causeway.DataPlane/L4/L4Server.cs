using System.Net;
using System.Net.Sockets;
using Causeway.DataPlane.L4.Tcp;
using Causeway.DataPlane.L4.Tls;
using Causeway.DataPlane.L4.Udp;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.L4;

/// <summary>
/// Serves one TCP, TLS or UDP <see cref="PortIr"/> on one address: raw socket accept/receive loops, routing by the
/// current generation (swapped atomically by <see cref="Update"/>), splicing to backends.
/// </summary>
public sealed class L4Server : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly TcpProxy? _tcp;
    private readonly UdpProxy? _udp;
    private readonly TlsConnectionHandler? _tls;
    private L4RouteTable _table;

    /// <summary>What the routes' BackendTrafficPolicies keep across generations (health checks, counts); swept on every update.</summary>
    private readonly State.StateStore _state = new();
    private int _disposed;

    private L4Server(
        Socket socket, PortIr port, Func<string, BackendIr?> backendLookup, TlsCertificateIr? backendClientCertificate,
        L4ServerOptions options, ILoggerFactory loggerFactory, CancellationToken ct)
    {
        _logger = loggerFactory.CreateLogger<L4Server>();
        _state.BeginApply();
        _table = new L4RouteTable(port, backendLookup, backendClientCertificate, _state);
        _state.EndApply();
        Protocol = port.Protocol;
        BoundPort = ((IPEndPoint)socket.LocalEndPoint!).Port;
        Metrics = new L4Metrics();
        if (port.Protocol == PortProtocol.Udp)
        {
            _udp = new UdpProxy(socket, CurrentTable, options, Metrics, _logger, ct);
        }
        else
        {
            if (port.Protocol == PortProtocol.Tls)
            {
                _tls = new TlsConnectionHandler(options, Metrics, _logger);
                _tls.Retain(_table);
            }
            _tcp = new TcpProxy(socket, port.Protocol, CurrentTable, options, Metrics, _logger, _tls, ct);
        }
    }

    /// <summary>
    /// Binds <paramref name="address"/>:<c>port.Port</c> (0 = ephemeral) for <c>port.Protocol</c> (Tcp and Tls over
    /// TCP; Udp) and starts serving. Throws <see cref="SocketException"/> if it cannot bind.
    /// </summary>
    public static Task<L4Server> StartAsync(
        IPAddress address, PortIr port, Func<string, BackendIr?> backendLookup, ILoggerFactory loggerFactory,
        CancellationToken ct) =>
        StartAsync(address, port, backendLookup, loggerFactory, L4ServerOptions.Default, ct);

    /// <summary>
    /// As <see cref="StartAsync(IPAddress, PortIr, Func{string, BackendIr?}, ILoggerFactory, CancellationToken)"/>, with
    /// explicit timeouts and limits, and the Gateway's <paramref name="backendClientCertificate"/> (presented when TLS is
    /// originated to a backend).
    /// </summary>
    public static Task<L4Server> StartAsync(
        IPAddress address, PortIr port, Func<string, BackendIr?> backendLookup, ILoggerFactory loggerFactory,
        L4ServerOptions options, CancellationToken ct, TlsCertificateIr? backendClientCertificate = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(port);
        ArgumentNullException.ThrowIfNull(backendLookup);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ct.ThrowIfCancellationRequested();
        if (port.Protocol is not (PortProtocol.Tcp or PortProtocol.Tls or PortProtocol.Udp))
            throw new ArgumentException($"L4Server serves Tcp, Tls and Udp ports, not {port.Protocol}.", nameof(port));

        var udp = port.Protocol == PortProtocol.Udp;
        var socket = udp
            ? new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp)
            : new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
            socket.Bind(new IPEndPoint(address, port.Port));
            if (!udp) socket.Listen(options.ListenBacklog);
            var server = new L4Server(socket, port, backendLookup, backendClientCertificate, options, loggerFactory, ct);
            server._tcp?.Start();
            server._udp?.Start();
            server._logger.LogInformation("L4 {Protocol} port {Port} listening on {Address}:{BoundPort}",
                port.Protocol, port.Port, address, server.BoundPort);
            return Task.FromResult(server);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The port actually bound (differs from <c>PortIr.Port</c> when that was 0).</summary>
    public int BoundPort { get; }

    internal PortProtocol Protocol { get; }

    internal L4Metrics Metrics { get; }

    internal int ActiveConnections => _tcp?.ActiveConnections ?? 0;

    internal int UdpSessions => _udp?.SessionCount ?? 0;

    /// <summary>
    /// Swaps routes and backends atomically. Connections and sessions already established keep the backend they chose;
    /// new ones use <paramref name="port"/>. The port number and protocol cannot change (start a new server for that).
    /// </summary>
    public void Update(PortIr port, Func<string, BackendIr?> backendLookup, TlsCertificateIr? backendClientCertificate = null)
    {
        ArgumentNullException.ThrowIfNull(port);
        ArgumentNullException.ThrowIfNull(backendLookup);
        if (port.Protocol != Protocol)
            throw new ArgumentException($"Cannot change an L4 port from {Protocol} to {port.Protocol}.", nameof(port));
        L4RouteTable table;
        lock (_state)
        {
            _state.BeginApply();
            table = new L4RouteTable(port, backendLookup, backendClientCertificate, _state) { AccessLog = _accessLog };
            Volatile.Write(ref _table, table);
            _state.EndApply();
        }
        _tls?.Retain(table);
        _logger.LogDebug("L4 port {Port} updated: {Listeners} listener(s)", BoundPort, port.Listeners.Count);
    }

    private L4RouteTable CurrentTable() => Volatile.Read(ref _table);

    private volatile Telemetry.AccessLog.GatewayAccessLog? _accessLog;

    /// <summary>The Gateway's custom access log (EnvoyProxy) for connections from now on; null: the default log.</summary>
    internal Telemetry.AccessLog.GatewayAccessLog? AccessLog
    {
        get => _accessLog;
        set
        {
            _accessLog = value;
            CurrentTable().AccessLog = value;
        }
    }

    /// <summary>Stops accepting, closes connections and sessions; waits a bounded time for them to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_tcp is not null) await _tcp.DisposeAsync().ConfigureAwait(false);
        if (_udp is not null) await _udp.DisposeAsync().ConfigureAwait(false);
        lock (_state) _state.DisposeAll();
        _logger.LogInformation("L4 port {Port} stopped", BoundPort);
    }
}
