using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using static Causeway.Echo.Tests.EchoTestHelpers;

namespace Causeway.Echo.Tests;

public sealed class TcpUdpEchoTests(TestCertificates certs) : IClassFixture<TestCertificates>
{
    private readonly TestCertificates _certs = certs;

    private EchoOptions Tcp(bool tls) => new()
    {
        Mode = EchoMode.Tcp,
        PodName = "tcp-backend-abcdefghij-klmno",
        Namespace = "gateway-conformance-infra",
        ServiceName = "tcp-backend",
        TcpPort = 0,
        TlsPort = 0,
        TlsServerCert = tls ? _certs.ServerCertPath : null,
        TlsServerKey = tls ? _certs.ServerKeyPath : null,
        Log = _ => { },
    };

    [Fact]
    public async Task PlainTcpAnswersPingIsTlsAndTest()
    {
        await using var server = await EchoServer.StartAsync(Tcp(tls: false));
        Assert.False(server.BoundPorts.ContainsKey("tls"));
        using var cts = new CancellationTokenSource(TestTimeout);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.BoundPorts["tcp"], cts.Token);
        var stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.UTF8);

        Assert.Equal("Gateway API Test TCP Server", await reader.ReadLineAsync(cts.Token));
        await stream.WriteAsync("PING\n"u8.ToArray(), cts.Token);
        Assert.Equal("PONG", await reader.ReadLineAsync(cts.Token));
        await stream.WriteAsync("something else\r\nIS_TLS\r\n"u8.ToArray(), cts.Token);
        Assert.Equal("false", await reader.ReadLineAsync(cts.Token));
        await stream.WriteAsync("TEST\n"u8.ToArray(), cts.Token);
        var json = JsonDocument.Parse((await reader.ReadLineAsync(cts.Token))!).RootElement;
        Assert.Equal("gateway-conformance-infra", json.GetProperty("namespace").GetString());
        Assert.Equal("tcp-backend-abcdefghij-klmno", json.GetProperty("pod").GetString());
        Assert.Equal("tcp-backend", json.GetProperty("service").GetString());
        Assert.False(json.GetProperty("isTLS").GetBoolean());
        Assert.Equal(server.BoundPorts["tcp"].ToString(System.Globalization.CultureInfo.InvariantCulture), json.GetProperty("tcpport").GetString());
        Assert.False(json.TryGetProperty("tls", out _));
    }

    [Fact]
    public async Task TlsTcpReportsSni()
    {
        await using var server = await EchoServer.StartAsync(Tcp(tls: true));
        using var cts = new CancellationTokenSource(TestTimeout);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.BoundPorts["tls"], cts.Token);
        await using var ssl = new SslStream(client.GetStream());
        await ssl.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions { TargetHost = "abc.example.com", RemoteCertificateValidationCallback = (_, _, _, _) => true },
            cts.Token);
        var reader = new StreamReader(ssl, Encoding.UTF8);

        Assert.Equal("Gateway API Test TCP Server", await reader.ReadLineAsync(cts.Token));
        await ssl.WriteAsync("IS_TLS\n"u8.ToArray(), cts.Token);
        Assert.Equal("true", await reader.ReadLineAsync(cts.Token));
        await ssl.WriteAsync("TEST\n"u8.ToArray(), cts.Token);
        var json = JsonDocument.Parse((await reader.ReadLineAsync(cts.Token))!).RootElement;
        Assert.True(json.GetProperty("isTLS").GetBoolean());
        Assert.Equal("abc.example.com", json.GetProperty("tls").GetProperty("serverName").GetString());
        Assert.Matches("^TLSv1\\.[23]$", json.GetProperty("tls").GetProperty("version").GetString());
    }

    [Fact]
    public async Task UdpRepliesWithJsonPerDatagram()
    {
        await using var server = await EchoServer.StartAsync(new EchoOptions
        {
            Mode = EchoMode.Udp,
            PodName = "udp-backend-abcdefghij-klmno",
            Namespace = "gateway-conformance-infra",
            ServiceName = "udp-backend",
            UdpPort = 0,
            Log = _ => { },
        });
        using var cts = new CancellationTokenSource(TestTimeout);
        using var client = new UdpClient(AddressFamily.InterNetwork);
        var target = new IPEndPoint(IPAddress.Loopback, server.BoundPorts["udp"]);

        foreach (var payload in new[] { "hello", "second \"quoted\"" })
        {
            await client.SendAsync(Encoding.UTF8.GetBytes(payload), target, cts.Token);
            var reply = await client.ReceiveAsync(cts.Token);
            var json = JsonDocument.Parse(reply.Buffer).RootElement;
            Assert.Equal(payload, json.GetProperty("request").GetString());
            Assert.Equal("udp-backend", json.GetProperty("service").GetString());
            Assert.Equal("gateway-conformance-infra", json.GetProperty("namespace").GetString());
            Assert.Equal("udp-backend-abcdefghij-klmno", json.GetProperty("pod").GetString());
            Assert.Equal(server.BoundPorts["udp"], reply.RemoteEndPoint.Port);
        }
    }
}
