using System.Net;
using System.Net.Security;
using Causeway.Echo.Grpc;
using Grpc.Core;
using Grpc.Net.Client;

namespace Causeway.Echo.Tests;

public sealed class GrpcEchoTests(TestCertificates certs) : IClassFixture<TestCertificates>
{
    private readonly TestCertificates _certs = certs;

    private EchoOptions Options(bool tls) => new()
    {
        Mode = EchoMode.Grpc,
        BindAddress = IPAddress.Loopback,
        PodName = "grpc-infra-backend-v1-abcdefghij-klmno",
        Namespace = "gateway-conformance-infra",
        ServiceName = "svc",
        HttpPort = 0,
        HttpsPort = 0,
        TlsServerCert = tls ? _certs.ServerCertPath : null,
        TlsServerKey = tls ? _certs.ServerKeyPath : null,
        Log = _ => { },
    };

    [Fact]
    public async Task EchoReportsMethodContextAndMetadata()
    {
        await using var server = await EchoServer.StartAsync(Options(tls: false));
        Assert.False(server.BoundPorts.ContainsKey("https"));
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{server.BoundPorts["http"]}");
        var client = new GrpcEcho.GrpcEchoClient(channel);

        var reply = await client.EchoAsync(new EchoRequest(), new Metadata { { "X-Custom", "value-1" } }, deadline: DateTime.UtcNow.AddSeconds(20));
        var a = reply.Assertions;
        Assert.Equal("/gateway_api_conformance.echo_basic.grpcecho.GrpcEcho/Echo", a.FullyQualifiedMethod);
        Assert.Equal($"127.0.0.1:{server.BoundPorts["http"]}", a.Authority);
        Assert.Equal("gateway-conformance-infra", a.Context.Namespace);
        Assert.Equal("grpc-infra-backend-v1-abcdefghij-klmno", a.Context.Pod);
        Assert.Equal("svc", a.Context.ServiceName);
        Assert.Contains(a.Headers, h => h.Key == "x-custom" && h.Value == "value-1");
        Assert.Contains(a.Headers, h => h.Key == ":authority" && h.Value == a.Authority);
        Assert.DoesNotContain(a.Headers, h => h.Key is "te" or "grpc-timeout" or ":path");
        Assert.Null(a.TlsAssertions);

        var two = await client.EchoTwoAsync(new EchoRequest());
        Assert.Equal("/gateway_api_conformance.echo_basic.grpcecho.GrpcEcho/EchoTwo", two.Assertions.FullyQualifiedMethod);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.EchoThreeAsync(new EchoRequest()));
        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public async Task TlsListenerReportsTlsAssertions()
    {
        await using var server = await EchoServer.StartAsync(Options(tls: true));
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            ConnectCallback = async (ctx, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, ctx.DnsEndPoint.Port), ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        };
        using var channel = GrpcChannel.ForAddress($"https://abc.example.com:{server.BoundPorts["https"]}", new GrpcChannelOptions { HttpHandler = handler });
        var reply = await new GrpcEcho.GrpcEchoClient(channel).EchoAsync(new EchoRequest(), deadline: DateTime.UtcNow.AddSeconds(20));

        var tls = reply.Assertions.TlsAssertions;
        Assert.NotNull(tls);
        Assert.Equal("abc.example.com", tls.ServerName);
        Assert.Equal("h2", tls.NegotiatedProtocol);
        Assert.Matches("^TLSv1\\.[23]$", tls.Version);
    }
}
