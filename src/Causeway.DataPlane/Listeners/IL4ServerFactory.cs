using System.Net;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.Listeners;

/// <summary>A running TCP/UDP/TLS (L4) port server; implemented by the L4 data plane (Causeway.DataPlane.L4.L4Server).</summary>
internal interface IL4Server : IAsyncDisposable
{
    int BoundPort { get; }

    /// <summary>The server's counters (null: not counted).</summary>
    Telemetry.L4Metrics? Metrics { get; }

    void Update(PortIr port, Func<string, BackendIr?> backendLookup, TlsCertificateIr? backendClientCertificate);

    /// <summary>The Gateway's custom access log (EnvoyProxy <c>spec.telemetry.accessLog</c>); null: the default log.</summary>
    Telemetry.AccessLog.GatewayAccessLog? AccessLog { set { } }
}

/// <summary>Starts L4 port servers; the seam through which the L4 data plane plugs in.</summary>
internal interface IL4ServerFactory
{
    Task<IL4Server> StartAsync(IPAddress address, PortIr port, Func<string, BackendIr?> backendLookup, TlsCertificateIr? backendClientCertificate,
        ILoggerFactory loggerFactory, CancellationToken ct);
}

/// <summary>Starts the L4 data plane's servers (<see cref="Causeway.DataPlane.L4.L4Server"/>) for TCP, UDP and TLS ports.</summary>
internal sealed class L4ServerFactory(Telemetry.AccessLog.AccessLogWriter? accessLog = null) : IL4ServerFactory
{
    public async Task<IL4Server> StartAsync(IPAddress address, PortIr port, Func<string, BackendIr?> backendLookup, TlsCertificateIr? backendClientCertificate,
        ILoggerFactory loggerFactory, CancellationToken ct) =>
        new Adapter(await Causeway.DataPlane.L4.L4Server.StartAsync(address, port, backendLookup, loggerFactory,
            accessLog is null ? Causeway.DataPlane.L4.L4ServerOptions.Default : Causeway.DataPlane.L4.L4ServerOptions.Default with { AccessLog = accessLog },
            ct, backendClientCertificate));

    private sealed class Adapter(Causeway.DataPlane.L4.L4Server server) : IL4Server
    {
        public int BoundPort => server.BoundPort;

        public Telemetry.L4Metrics? Metrics => server.Metrics;

        public void Update(PortIr port, Func<string, BackendIr?> backendLookup, TlsCertificateIr? backendClientCertificate) =>
            server.Update(port, backendLookup, backendClientCertificate);

        public Telemetry.AccessLog.GatewayAccessLog? AccessLog { set => server.AccessLog = value; }

        public ValueTask DisposeAsync() => server.DisposeAsync();
    }
}
