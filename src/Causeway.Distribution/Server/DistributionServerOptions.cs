using System.Net;
using Causeway.Distribution.Security;
using Causeway.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Causeway.Distribution.Server;

public sealed record DistributionServerOptions
{
    /// <summary>The default gRPC distribution port of the controller.</summary>
    public const int DefaultPort = 18000;

    /// <summary>Where to listen (port 0: any free port; see <see cref="DistributionServer.Port"/>).</summary>
    public IPEndPoint Endpoint { get; init; } = new(IPAddress.Any, DefaultPort);

    /// <summary>The CA that signs the server certificate and that every proxy client certificate must chain to.</summary>
    public required CertificateAuthority Authority { get; init; }

    /// <summary>DNS names of the server certificate (the controller Service's names the proxies dial).</summary>
    public IReadOnlyList<string> ServerDnsNames { get; init; } = ["localhost"];

    /// <summary>IP addresses of the server certificate (for proxies dialling an IP).</summary>
    public IReadOnlyList<IPAddress> ServerIpAddresses { get; init; } = [IPAddress.Loopback, IPAddress.IPv6Loopback];

    /// <summary>Time a new stream has to send its Subscribe message.</summary>
    public TimeSpan SubscribeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>HTTP/2 PING interval on idle connections; a peer that does not answer within <see cref="KeepAliveTimeout"/> is dropped.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(20);
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(20);

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Where connected proxies, pushed snapshots and the proxies' ACKs/NACKs are counted (null: nowhere).</summary>
    public ControlPlaneMetrics? Metrics { get; init; }
}
