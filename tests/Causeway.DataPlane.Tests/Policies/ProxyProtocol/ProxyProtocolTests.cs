using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies.ProxyProtocol;

/// <summary>
/// ClientTrafficPolicy proxyProtocol through real sockets: a v1 or v2 header written before plain HTTP (event loop and
/// Kestrel) or before TLS names the client the backend sees in X-Forwarded-For and a rate limit's sourceCIDR counts;
/// a malformed or missing header closes the connection unless the header is optional.
/// </summary>
public sealed class ProxyProtocolTests
{
    private const string V1 = "PROXY TCP4 192.0.2.7 198.51.100.1 40000 80\r\n";
    private const string Get = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";

    private static GatewayIr Proxied(EchoBackend echo, bool optional = false, long? limit = null, BackendTrafficPolicyIr? rateLimit = null)
    {
        var gw = Gateway("ns/gw", [Port(PortProtocol.Http, 0, Listener("ns/gw/http", null, Host("*",
                Prefix("/limited", To("ns/e:80", "httproute/ns/limited/rule/0") with { BackendTraffic = rateLimit }),
                // A step only the Kestrel pipeline runs: the event loop hands these requests off.
                Prefix("/rewrite", To("ns/e:80", "rewrite") with
                {
                    Filters = new[] { KestrelOnlyHostEdit, new HttpFilterIr { UrlRewrite = new UrlRewriteIr { Path = new PathModifierIr(PathModifierKind.ReplacePrefixMatch, "/rewritten") } } },
                }),
                Prefix("/", To("ns/e:80")))))], Backend("ns/e:80", echo));
        return gw with { Ports = new[] { gw.Ports[0] with { Connection = Connection(optional ? new ProxyProtocolIr { Optional = true } : new ProxyProtocolIr(), limit) } } };
    }

    private static ClientConnectionIr Connection(ProxyProtocolIr? proxy, long? limit) =>
        new() { Policy = "ns/ctp", ProxyProtocol = proxy, ConnectionLimit = limit };

    internal static byte[] V2(byte command, byte family, byte[] addresses)
    {
        var header = new List<byte>("\r\n\r\n\0\r\nQUIT\n"u8.ToArray()) { (byte)(0x20 | command), family, (byte)(addresses.Length >> 8), (byte)addresses.Length };
        header.AddRange(addresses);
        return [.. header];
    }

    internal static byte[] V2Tcp4(string source, int port)
    {
        var a = new List<byte>(IPAddress.Parse(source).GetAddressBytes());
        a.AddRange(IPAddress.Parse("198.51.100.1").GetAddressBytes());
        a.AddRange([(byte)(port >> 8), (byte)port, 0, 80]);
        return V2(1, 0x11, [.. a]);
    }

    private static byte[] V2Tcp6(string source, int port)
    {
        var a = new List<byte>(IPAddress.Parse(source).GetAddressBytes());
        a.AddRange(IPAddress.Parse("2001:db8::1").GetAddressBytes());
        a.AddRange([(byte)(port >> 8), (byte)port, 0, 80]);
        a.AddRange([0x04, 0x00, 0x01, 0x00]); // a TLV (PP2_TYPE_NOOP), skipped with the header
        return V2(1, 0x21, [.. a]);
    }

    private static async Task WriteAsync(RawClient c, byte[] bytes)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await c.Stream.WriteAsync(bytes, cts.Token);
    }

    /// <summary>True when the gateway closed the connection without answering.</summary>
    private static async Task<bool> ClosedWithoutAnswerAsync(Stream s)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[256];
        try
        {
            return await s.ReadAsync(buffer, cts.Token) == 0;
        }
        catch (IOException)
        {
            return true; // reset
        }
    }

    [Fact]
    public async Task A_v1_header_before_plain_http_names_the_client_on_the_event_loop_without_hand_off()
    {
        Assert.True(Native.IsSupported, "the event loop runs on Linux x86-64 and arm64; CI runs there");
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Proxied(echo));
        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync(V1 + Get); // one write: the bytes after the header are the request
        Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        await c.SendAsync("GET /b HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n"); // the connection keeps its client
        Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        var seen = echo.Received.ToDictionary(e => e.Path);
        Assert.Equal("192.0.2.7", seen["/a"].Headers["x-forwarded-for"]);
        Assert.Equal("203.0.113.9, 192.0.2.7", seen["/b"].Headers["x-forwarded-for"]);
        Assert.Equal(2, g.Plane.FastPath!.LoopRequests);
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
    }

    [Fact]
    public async Task A_header_split_across_writes_is_waited_for_and_the_rate_limit_counts_the_proxied_client()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Proxied(echo, rateLimit: Policies.ClientTraffic.ClientTrafficIr.OneAnHourFor("192.0.2.7/32")));
        var statuses = new List<int>();
        for (var i = 0; i < 2; i++)
        {
            await using var c = await RawClient.ConnectAsync(g.Port);
            await c.SendAsync(V1[..10]);
            await Task.Delay(50);
            await c.SendAsync(V1[10..] + "GET /limited HTTP/1.1\r\nHost: h\r\n\r\n");
            statuses.Add((await c.ReadResponseAsync()).Status);
        }
        Assert.Equal([200, 429], statuses); // 127.0.0.1 would not be limited
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_v2_header_names_the_client_on_both_transports(bool eventLoop)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { Http1EventLoop = eventLoop }, Proxied(echo));
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            await WriteAsync(c, [.. V2Tcp4("192.0.2.44", 1234), .. Encoding.ASCII.GetBytes(Get)]);
            Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        }
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            await WriteAsync(c, [.. V2Tcp6("2001:db8::44", 1234), .. Encoding.ASCII.GetBytes("GET /six HTTP/1.1\r\nHost: h\r\n\r\n")]);
            Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        }
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            await WriteAsync(c, [.. V2(0, 0x00, []), .. Encoding.ASCII.GetBytes("GET /local HTTP/1.1\r\nHost: h\r\n\r\n")]); // LOCAL: the peer is the client
            Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        }
        var seen = echo.Received.ToDictionary(e => e.Path);
        Assert.Equal("192.0.2.44", seen["/a"].Headers["x-forwarded-for"]);
        Assert.Equal("2001:db8::44", seen["/six"].Headers["x-forwarded-for"]);
        Assert.Equal("127.0.0.1", seen["/local"].Headers["x-forwarded-for"]);
    }

    [Fact]
    public async Task A_request_the_event_loop_hands_to_kestrel_keeps_the_proxied_client()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Proxied(echo));
        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync(V1 + "GET /rewrite/x HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        await c.SendAsync(Get);
        Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        var seen = echo.Received.ToDictionary(e => e.Path);
        Assert.Equal("192.0.2.7", seen["/rewritten/x"].Headers["x-forwarded-for"]);
        Assert.Equal("192.0.2.7", seen["/a"].Headers["x-forwarded-for"]);
    }

    [Theory]
    [InlineData(true, "PROXY TCP4 192.0.2.7 nonsense 1 2\r\n")]
    [InlineData(false, "PROXY TCP4 192.0.2.7 nonsense 1 2\r\n")]
    [InlineData(true, "PROXY TCP4 192.0.2.7 198.51.100.1 99999 80\r\n")]
    [InlineData(true, "PROXY TCP6 192.0.2.7 198.51.100.1 1 80\r\n")]
    [InlineData(true, "")] // no header at all, and it is not optional
    [InlineData(false, "")]
    public async Task A_connection_without_a_valid_header_is_closed_and_nothing_reaches_the_backend(bool eventLoop, string header)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { Http1EventLoop = eventLoop }, Proxied(echo));
        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync(header + Get);
        Assert.True(await ClosedWithoutAnswerAsync(c.Stream));
        Assert.Equal(0, echo.RequestCount);
        Assert.Equal(1, g.Plane.Ports.Sum(p => p.Connections?.ProxyHeaderRejected ?? 0));
    }

    [Fact]
    public async Task A_malformed_v2_header_is_closed_on_both_transports()
    {
        foreach (var eventLoop in new[] { true, false })
        {
            await using var echo = await EchoBackend.StartAsync("e");
            await using var g = await TestGateway.StartAsync(TestGateway.Options with { Http1EventLoop = eventLoop }, Proxied(echo, optional: true));
            await using var c = await RawClient.ConnectAsync(g.Port);
            var bad = V2Tcp4("192.0.2.44", 1);
            bad[12] = 0x31; // version 3
            await WriteAsync(c, [.. bad, .. Encoding.ASCII.GetBytes(Get)]);
            Assert.True(await ClosedWithoutAnswerAsync(c.Stream));
            Assert.Equal(0, echo.RequestCount);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Optional_headers_serve_connections_without_one_with_the_peer_as_client(bool eventLoop)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { Http1EventLoop = eventLoop }, Proxied(echo, optional: true));
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            await c.SendAsync(Get);
            Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        }
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            await c.SendAsync(V1 + "GET /with HTTP/1.1\r\nHost: h\r\n\r\n");
            Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        }
        var seen = echo.Received.ToDictionary(e => e.Path);
        Assert.Equal("127.0.0.1", seen["/a"].Headers["x-forwarded-for"]);
        Assert.Equal("192.0.2.7", seen["/with"].Headers["x-forwarded-for"]);
    }

    [Fact]
    public async Task Https_reads_the_header_before_the_tls_handshake()
    {
        var ca = TestCerts.CreateCa("pp-ca");
        var cert = TestCerts.CreateLeaf(ca, "a.example.com", "a.example.com");
        await using var echo = await EchoBackend.StartAsync("e");
        var gw = Gateway("ns/gw", [Port(PortProtocol.Https, 0,
                Listener("ns/gw/https", null, Host("*", Prefix("/", To("ns/e:80")))) with { Certificates = new[] { cert.ToIr("a.example.com") } }) with
            {
                Connection = Connection(new ProxyProtocolIr(), null),
            }], Backend("ns/e:80", echo));
        await using var g = await TestGateway.StartAsync(gw);
        async Task<Stream> ConnectAsync(byte[] header)
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, g.Port);
            var stream = tcp.GetStream();
            await stream.WriteAsync(header);
            return stream;
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        foreach (var (header, expected) in new[] { (Encoding.ASCII.GetBytes(V1), "192.0.2.7"), (V2Tcp4("192.0.2.45", 5), "192.0.2.45") })
        {
            await using var ssl = new SslStream(await ConnectAsync(header));
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "a.example.com",
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, cts.Token);
            await ssl.WriteAsync(Encoding.ASCII.GetBytes($"GET /{expected} HTTP/1.1\r\nHost: a.example.com\r\nConnection: close\r\n\r\n"), cts.Token);
            using var reader = new StreamReader(ssl, Encoding.ASCII);
            Assert.StartsWith("HTTP/1.1 200", await reader.ReadToEndAsync(cts.Token));
            Assert.Equal(expected, echo.Received.Single(e => e.Path == "/" + expected).Headers["x-forwarded-for"]);
        }
        // TLS without the header: closed before the handshake completes.
        await using (var ssl = new SslStream(await ConnectAsync([])))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "a.example.com",
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }, cts.Token));
        }
        Assert.Equal(2, echo.RequestCount);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Connections_over_the_limit_are_closed_at_accept(bool eventLoop)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var gw = Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/e:80")))) with { Connection = Connection(null, 2) }], Backend("ns/e:80", echo));
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { Http1EventLoop = eventLoop }, gw);
        var open = new List<RawClient>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var c = await RawClient.ConnectAsync(g.Port);
                open.Add(c);
                await c.SendAsync(Get);
                Assert.Equal(200, (await c.ReadResponseAsync()).Status);
            }
            // The gateway closes the third at accept: the client sees that as a reset while connecting (the
            // handshake completed in the kernel, the reset came before the client looked), on its write, or as the
            // end on its read.
            RawClient? third = null;
            try
            {
                var refused = false;
                try
                {
                    third = await RawClient.ConnectAsync(g.Port);
                    await third.SendAsync(Get);
                }
                catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
                {
                    refused = true;
                }
                Assert.True(refused || await ClosedWithoutAnswerAsync(third!.Stream));
            }
            finally
            {
                if (third is not null) await third.DisposeAsync();
            }
            Assert.Equal(2, echo.RequestCount);
            Assert.Equal(1, g.Plane.Ports.Sum(p => p.Connections?.OverLimit ?? 0));
            await open[0].DisposeAsync();
            open.RemoveAt(0);
            // Once one closes, a new connection is served (the gateway sees the close shortly after the client's).
            var served = false;
            for (var attempt = 0; attempt < 50 && !served; attempt++)
            {
                try
                {
                    await using var again = await RawClient.ConnectAsync(g.Port);
                    await again.SendAsync(Get);
                    served = (await again.ReadResponseAsync()).Status == 200;
                }
                catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or InvalidOperationException or OperationCanceledException or FormatException)
                {
                    await Task.Delay(50);
                }
            }
            Assert.True(served);
        }
        finally
        {
            foreach (var c in open) await c.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Connections_over_the_limit_are_closed_after_the_close_delay(bool eventLoop)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var connection = Connection(null, 1) with { ConnectionLimitCloseDelay = TimeSpan.FromMilliseconds(400) };
        var gw = Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/e:80")))) with { Connection = connection }], Backend("ns/e:80", echo));
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { Http1EventLoop = eventLoop }, gw);
        await using var first = await RawClient.ConnectAsync(g.Port);
        await first.SendAsync(Get);
        Assert.Equal(200, (await first.ReadResponseAsync()).Status);
        await using var second = await RawClient.ConnectAsync(g.Port);
        var watch = Stopwatch.StartNew();
        await second.SendAsync(Get);
        Assert.True(await ClosedWithoutAnswerAsync(second.Stream));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5));
        Assert.Equal(1, echo.RequestCount);
    }

    [Fact]
    public async Task Curl_sends_a_v1_header_the_gateway_reads()
    {
        if (!File.Exists("/usr/bin/curl")) Assert.Fail("curl is needed for this test (/usr/bin/curl)");
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Proxied(echo));
        using var curl = Process.Start(new ProcessStartInfo("/usr/bin/curl", ["-sS", "--haproxy-protocol", "-o", "/dev/null", "-w", "%{http_code}", $"http://127.0.0.1:{g.Port}/curl"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();
        Assert.Equal("200", output);
        // curl's header carries its own connection's addresses: the client is 127.0.0.1, read from the header.
        Assert.Equal("127.0.0.1", echo.Received.Single(e => e.Path == "/curl").Headers["x-forwarded-for"]);
        // Without --haproxy-protocol the same request is refused (the header is required).
        using var plain = Process.Start(new ProcessStartInfo("/usr/bin/curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", $"http://127.0.0.1:{g.Port}/plain"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        Assert.Equal("000", await plain.StandardOutput.ReadToEndAsync());
        await plain.WaitForExitAsync();
    }
}
