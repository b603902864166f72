using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Causeway.Distribution.Client;
using Causeway.Distribution.Protocol;
using Causeway.Distribution.Security;
using Causeway.Distribution.Server;
using Causeway.Translation.Ir;
using Grpc.Net.Client;

namespace Causeway.Distribution.Tests;

internal static class DistributionFixture
{
    public static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    public static async Task<DistributionServer> StartServerAsync(CertificateAuthority ca, int port = 0)
    {
        var server = new DistributionServer(new DistributionServerOptions
        {
            Authority = ca,
            Endpoint = new IPEndPoint(IPAddress.Loopback, port),
            KeepAliveInterval = TimeSpan.FromSeconds(2),
            KeepAliveTimeout = TimeSpan.FromSeconds(2),
        });
        using var cts = new CancellationTokenSource(TestTimeout);
        await server.StartAsync(cts.Token);
        return server;
    }

    public static ProxyClient StartProxy(int port, IssuedCredentials credentials, Func<GatewayIr, CancellationToken, Task>? apply = null,
        string? gatewayKey = null, string host = "127.0.0.1")
    {
        var client = new ProxyClient(new ProxyClientOptions
        {
            ControllerAddress = new Uri($"https://{host}:{port}"),
            Credentials = credentials,
            GatewayKey = gatewayKey,
            ProxyId = "proxy-" + Guid.NewGuid().ToString("N")[..6],
            Apply = apply ?? ((_, _) => Task.CompletedTask),
            InitialBackoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = TimeSpan.FromSeconds(1),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            KeepAliveInterval = TimeSpan.FromSeconds(2),
            KeepAliveTimeout = TimeSpan.FromSeconds(2),
        });
        client.Start();
        return client;
    }

    /// <summary>A raw gRPC stream to the server, with the given client certificate (or none), trusting <paramref name="ca"/>.</summary>
    public static (GrpcChannel Channel, IrDistribution.IrDistributionClient Client) RawClient(int port, CertificateAuthority ca, X509Certificate2? clientCertificate)
    {
        var caCert = X509Certificate2.CreateFromPem(ca.CertificatePem);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
                RemoteCertificateValidationCallback = (_, cert, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(caCert);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return cert is X509Certificate2 c && chain.Build(c);
                },
            },
        };
        var channel = GrpcChannel.ForAddress($"https://127.0.0.1:{port}", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        return (channel, new IrDistribution.IrDistributionClient(channel));
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TestTimeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("timed out waiting for " + what);
            await Task.Delay(25);
        }
    }
}
