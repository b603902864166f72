using System.Net.Security;
using Causeway.Echo.Grpc;
using Causeway.Echo.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Causeway.Echo.Http;

/// <summary>Kestrel host of the HTTP mode (HTTP/1.1, h2c, HTTPS) and of the gRPC mode (h2c, TLS).</summary>
internal sealed class KestrelEchoHost : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(3);

    private readonly WebApplication _app;
    private readonly TlsMaterial? _tls;

    private KestrelEchoHost(WebApplication app, TlsMaterial? tls)
    {
        _app = app;
        _tls = tls;
    }

    private volatile string _httpPortText = "";

    public Dictionary<string, int> BoundPorts { get; } = new(StringComparer.Ordinal);

    public static async Task<KestrelEchoHost> StartAsync(EchoOptions options, CancellationToken ct)
    {
        var tls = options.HasServerCertificate
            ? TlsMaterial.Load(options.TlsServerCert!, options.TlsServerKey!, options.TlsClientCaCerts)
            : null;
        try
        {
            var grpc = options.Mode == EchoMode.Grpc;
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
            {
                Args = [],
                ApplicationName = typeof(KestrelEchoHost).Assembly.GetName().Name,
                ContentRootPath = AppContext.BaseDirectory,
                EnvironmentName = Environments.Production,
            });
            builder.Logging.ClearProviders();
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
            var listeners = new Dictionary<string, ListenOptions>(StringComparer.Ordinal);
            builder.WebHost.UseKestrelHttpsConfiguration();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(2);
                kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(30);
                kestrel.Listen(options.BindAddress, options.HttpPort, l =>
                {
                    l.Protocols = grpc ? HttpProtocols.Http2 : HttpProtocols.Http1;
                    listeners["http"] = l;
                });
                if (!grpc)
                {
                    kestrel.Listen(options.BindAddress, options.H2cPort, l =>
                    {
                        l.Protocols = HttpProtocols.Http2;
                        l.Use(H2cConnectionGate.Wrap);
                        listeners["h2c"] = l;
                    });
                }

                if (tls is not null)
                {
                    kestrel.Listen(options.BindAddress, options.HttpsPort, l =>
                    {
                        l.Protocols = grpc ? HttpProtocols.Http2 : HttpProtocols.Http1AndHttp2;
                        List<SslApplicationProtocol> alpn = grpc
                            ? [SslApplicationProtocol.Http2]
                            : [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];
                        l.UseHttps(new TlsHandshakeCallbackOptions
                        {
                            HandshakeTimeout = TimeSpan.FromSeconds(10),
                            OnConnection = _ => ValueTask.FromResult(tls.CreateServerOptions(alpn)),
                        });
                        listeners["https"] = l;
                    });
                }
            });

            var log = options.LogSink;
            WebApplication app;
            if (grpc)
            {
                builder.Services.AddGrpc();
                builder.Services.AddSingleton(options);
                app = builder.Build();
                app.MapGrpcService<GrpcEchoService>();
            }
            else
            {
                app = builder.Build();
                var host = new KestrelEchoHost(app, tls);
                var handler = new EchoRequestHandler(options, log, () => host._httpPortText);
                app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
                app.Run(handler.HandleAsync);
                await host.StartCoreAsync(listeners, options, ct).ConfigureAwait(false);
                return host;
            }

            var grpcHost = new KestrelEchoHost(app, tls);
            await grpcHost.StartCoreAsync(listeners, options, ct).ConfigureAwait(false);
            return grpcHost;
        }
        catch
        {
            tls?.Dispose();
            throw;
        }
    }

    private async Task StartCoreAsync(Dictionary<string, ListenOptions> listeners, EchoOptions options, CancellationToken ct)
    {
        _httpPortText = options.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            await _app.StartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }

        foreach (var (name, listener) in listeners)
        {
            BoundPorts[name] = listener.IPEndPoint?.Port ?? 0;
        }

        // The echoed httpPort: the configured HTTP_PORT, or the bound port when it was 0.
        var port = options.HttpPort != 0 ? options.HttpPort : BoundPorts.GetValueOrDefault("http");
        _httpPortText = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        using (var cts = new CancellationTokenSource(ShutdownTimeout))
        {
            try
            {
                await _app.StopAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // forced shutdown after the timeout
            }
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _tls?.Dispose();
    }
}
