using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Causeway.Distribution.Security;
using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Causeway.Distribution.Server;

/// <summary>
/// The controller side of IR distribution: a gRPC service on Kestrel with mutual TLS. Each proxy authenticates with a
/// client certificate signed by <see cref="DistributionServerOptions.Authority"/> that names its Gateway
/// (<see cref="ProxyIdentity"/>) and can only subscribe to that Gateway. <see cref="Publish"/> sends a full, versioned
/// snapshot to every connected proxy of the Gateway (and to any that connects later); proxies ACK or NACK each version.
/// </summary>
public sealed class DistributionServer : IAsyncDisposable
{
    private readonly DistributionServerOptions _options;
    private readonly GatewayFeeds _feeds = new(Guid.NewGuid().ToString("N"));
    private readonly ILogger _logger;
    private WebApplication? _app;
    private X509Certificate2? _serverCertificate;

    public DistributionServer(DistributionServerOptions options)
    {
        _options = options;
        _logger = options.LoggerFactory.CreateLogger<DistributionServer>();
    }

    /// <summary>Random per server instance: versions restart at 1 in each epoch.</summary>
    public string Epoch => _feeds.Epoch;

    /// <summary>The bound port, after <see cref="StartAsync"/>.</summary>
    public int Port { get; private set; }

    /// <summary>Raised (on the gRPC thread) for each ACK or NACK a proxy sends.</summary>
    public event EventHandler<ProxyAckEventArgs>? Acknowledged
    {
        add => _feeds.Acknowledged += value;
        remove => _feeds.Acknowledged -= value;
    }

    public async Task StartAsync(CancellationToken ct)
    {
        if (_app is not null) throw new InvalidOperationException("already started");
        var issued = _options.Authority.IssueServerCertificate(_options.ServerDnsNames, _options.ServerIpAddresses);
        _serverCertificate = issued.ToCertificate();
        var ca = _options.Authority.Certificate;

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(_options.LoggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddSingleton(_feeds);
        builder.Services.AddSingleton(_options);
        builder.Services.AddRoutingCore();
        builder.Services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = 1024 * 1024;
            o.MaxSendMessageSize = 256 * 1024 * 1024;
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.Http2.KeepAlivePingDelay = _options.KeepAliveInterval;
            k.Limits.Http2.KeepAlivePingTimeout = _options.KeepAliveTimeout;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            k.Listen(_options.Endpoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = _serverCertificate,
                    SslProtocols = SslProtocols.Tls13 | SslProtocols.Tls12,
                    HandshakeTimeout = TimeSpan.FromSeconds(10),
                    // A missing certificate is answered by the service with Unauthenticated (a clear error); a certificate
                    // that is presented must chain to our CA and allow clientAuth, or the handshake fails.
                    ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                    CheckCertificateRevocation = false,
                    ClientCertificateValidation = (cert, _, _) => CertificateValidation.IsValid(cert, ca, clientAuth: true, _logger),
                });
            });
        });

        var app = builder.Build();
        app.UseRouting();
        app.MapGrpcService<DistributionService>();
        await app.StartAsync(ct).ConfigureAwait(false);
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        Port = address is null ? _options.Endpoint.Port : new Uri(address.Replace("[::]", "[::1]", StringComparison.Ordinal)).Port;
        _logger.LogInformation("IR distribution listening on port {Port} (epoch {Epoch})", Port, Epoch);
    }

    /// <summary>
    /// Makes <paramref name="ir"/> the configuration of Gateway <paramref name="gatewayKey"/> (<c>namespace/name</c>) and
    /// pushes it to its connected proxies. Returns the new version; an IR equal to the current one keeps its version.
    /// </summary>
    public long Publish(string gatewayKey, GatewayIr ir) => _feeds.Publish(gatewayKey, ir);

    /// <summary>Forgets a deleted Gateway (its connected proxies keep their last configuration).</summary>
    public void Remove(string gatewayKey) => _feeds.Remove(gatewayKey);

    /// <summary>The current version of a Gateway, or null if none was published.</summary>
    public long? PublishedVersion(string gatewayKey) => _feeds.PublishedVersion(gatewayKey);

    /// <summary>
    /// The version every connected proxy of the Gateway has applied (the minimum over them), or null when no proxy is
    /// connected or one has not applied any version yet.
    /// </summary>
    public long? AckedVersion(string gatewayKey) => _feeds.AckedVersion(gatewayKey);

    /// <summary>The connected proxies of a Gateway with what they acknowledged or rejected.</summary>
    public IReadOnlyList<ProxyStatus> Proxies(string gatewayKey) => _feeds.Proxies(gatewayKey);

    /// <summary>Waits until <see cref="AckedVersion"/> of the Gateway reaches <paramref name="version"/>.</summary>
    public async Task WaitForAckAsync(string gatewayKey, long version, CancellationToken ct)
    {
        while (true)
        {
            var changed = _feeds.Changed;
            if (_feeds.AckedVersion(gatewayKey) >= version) return;
            await changed.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try { await _app.StopAsync(timeout.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }

        _serverCertificate?.Dispose();
        _serverCertificate = null;
    }
}
