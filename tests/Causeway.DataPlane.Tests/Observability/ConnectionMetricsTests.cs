using System.Net.Sockets;
using Causeway.DataPlane.Tests.Support;
using Causeway.Telemetry;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Observability;

/// <summary>Connections, TLS handshakes and certificate expiry per port and listener, as a scrape shows them.</summary>
public sealed class ConnectionMetricsTests() : TwoHostTlsTest("metrics-ca")
{
    [Fact]
    public async Task Https_connections_handshakes_and_certificate_expiry_are_exported()
    {
        var registry = new MetricsRegistry();
        var gw = Gateway("ns/gw",
            [Port(PortProtocol.Https, 0,
                Listener("ns/gw/a", "a.example.com", Host("a.example.com", Prefix("/", To("ns/a:80")))) with { Certificates = new[] { CertA.ToIr("a.example.com") } })],
            Backend("ns/a:80", EchoA));
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { Metrics = registry }, gw);
        Assert.StartsWith("HTTP/1.1 200", await RawHttps.GetAsync(g.Port, "a.example.com", "a.example.com", null));
        Assert.StartsWith("HTTP/1.1 200", await RawHttps.GetAsync(g.Port, "a.example.com", "a.example.com", null));
        // A client that connects and goes away without a handshake.
        using (var bare = new TcpClient())
        {
            await bare.ConnectAsync("127.0.0.1", g.Port);
            await bare.GetStream().WriteAsync("not tls\r\n\r\n"u8.ToArray());
        }
        string[] expected =
        [
            "causeway_downstream_connections_total{gateway=\"ns/gw\",listener=\"ns/gw/a\",protocol=\"HTTPS\"} 3",
            "causeway_downstream_connections_active{gateway=\"ns/gw\",listener=\"ns/gw/a\",protocol=\"HTTPS\"} 0",
            "causeway_tls_handshakes_total{gateway=\"ns/gw\",listener=\"ns/gw/a\",result=\"success\"} 2",
            "causeway_tls_handshakes_total{gateway=\"ns/gw\",listener=\"ns/gw/a\",result=\"failure\"} 1",
        ];
        // Connections are counted closed when the server side is done with them, which may trail the client by a moment.
        var text = "";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline && !expected.All((text = registry.Render()).Contains)) await Task.Delay(50);
        foreach (var line in expected) Assert.True(text.Contains(line, StringComparison.Ordinal), $"missing {line} in\n{text}");
        var expiry = new DateTimeOffset(CertA.Certificate.NotAfter.ToUniversalTime()).ToUnixTimeSeconds();
        Assert.Contains($"causeway_tls_certificate_expiry_timestamp_seconds{{gateway=\"ns/gw\",listener=\"ns/gw/a\",secret=\"{CertA.ToIr("a.example.com").Source}\"}} {expiry}", text);
    }

    [Fact]
    public async Task Event_loop_connections_are_counted_once_even_when_handed_to_kestrel()
    {
        var registry = new MetricsRegistry();
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { Metrics = registry }, EchoGateway(EchoA));
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            await c.SendAsync("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
            Assert.Equal(200, (await c.ReadResponseAsync()).Status);
            await c.SendAsync("GET /rewrite/x HTTP/1.1\r\nHost: h\r\n\r\n"); // handed to Kestrel mid-connection
            Assert.Equal(200, (await c.ReadResponseAsync()).Status);
            Assert.Contains("causeway_downstream_connections_active{gateway=\"ns/gw\",listener=\"ns/gw/http\",protocol=\"HTTP\"} 1", registry.Render());
        }
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            await c.SendAsync("GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
            Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        }
        var text = "";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline && !(text = registry.Render()).Contains("protocol=\"HTTP\"} 0", StringComparison.Ordinal)) await Task.Delay(50);
        Assert.Contains("causeway_downstream_connections_total{gateway=\"ns/gw\",listener=\"ns/gw/http\",protocol=\"HTTP\"} 2", text);
        Assert.Contains("causeway_downstream_connections_active{gateway=\"ns/gw\",listener=\"ns/gw/http\",protocol=\"HTTP\"} 0", text);
    }
}
