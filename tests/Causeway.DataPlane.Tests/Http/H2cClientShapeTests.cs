using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Echo;
using Causeway.Echo.Grpc;
using Causeway.Translation.Ir;
using Grpc.Net.Client;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Http;

/// <summary>
/// h2c prior knowledge from the exact client shapes the conformance harness uses (a fresh SocketsHttpHandler per
/// request with PooledConnectionLifetime zero and RequestVersionExact 2.0 over http://; Grpc.Net.Client over h2c)
/// through the gateway, including to the echo server's gRPC mode.
/// </summary>
public sealed class H2cClientShapeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Http_executor_shape_gets_http2_on_every_fresh_connection()
    {
        await using var h1 = await EchoBackend.StartAsync("h1");
        await using var g = await TestGateway.StartAsync(Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/h1:80"))))], Backend("ns/h1:80", h1)));
        for (var i = 0; i < 5; i++)
        {
            using var handler = new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                UseProxy = false,
                AutomaticDecompression = DecompressionMethods.None,
                ConnectTimeout = Timeout,
                PooledConnectionLifetime = TimeSpan.Zero,
            };
            using var client = new HttpClient(handler) { Timeout = Timeout };
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{g.Port}/h2c?i={i}")
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            request.Headers.TryAddWithoutValidation("X-Echo-Set-Header", "");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(HttpVersion.Version20, response.Version);
        }
    }

    [Fact]
    public async Task Grpc_client_through_gateway_to_echo_grpc_mode()
    {
        await using var echo = await EchoServer.StartAsync(new EchoOptions
        {
            Mode = EchoMode.Grpc,
            BindAddress = IPAddress.Loopback,
            HttpPort = 0,
            HttpsPort = 0,
            PodName = "grpc-pod",
            Namespace = "ns",
        });
        var backend = new BackendIr
        {
            Id = "ns/grpc:8080",
            Protocol = BackendProtocol.H2c,
            Endpoints = new[] { new EndpointIr("127.0.0.1", echo.BoundPorts["http"]) },
        };
        await using var g = await TestGateway.StartAsync(Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/grpc:8080"))))], backend));
        for (var i = 0; i < 3; i++)
        {
            using var handler = new VersionExactHandler
            {
                InnerHandler = new SocketsHttpHandler { ConnectTimeout = Timeout, UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero },
            };
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{g.Port}", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = false });
            var client = new GrpcEcho.GrpcEchoClient(channel);
            using var cts = new CancellationTokenSource(Timeout);
            var reply = await client.EchoAsync(new EchoRequest(), cancellationToken: cts.Token);
            Assert.Equal("/gateway_api_conformance.echo_basic.grpcecho.GrpcEcho/Echo", reply.Assertions.FullyQualifiedMethod);
            Assert.Equal("grpc-pod", reply.Assertions.Context.Pod);
        }
    }

    /// <summary>As the harness: every request is HTTP/2 exactly (no upgrade, no fallback).</summary>
    private sealed class VersionExactHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
