using System.Net;
using System.Text;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Http;

/// <summary>
/// HTTP/2 clients to HTTP/1.1 backends without HttpClient, both ways the gateway does it: the event loop's own HTTP/2
/// (Transports/Http2/EventLoop, the default where every route runs on the loop) and Kestrel's HTTP/2 with the direct
/// upstream (Transports/Kestrel/Http1Upstream, <c>LoopHttp2</c> off): the pooled backend connections instead of
/// HttpClient, with what a client sees the same either way.
/// </summary>
public sealed class H2DirectUpstreamTests() : TwoHostTlsTest("h2-direct-ca")
{
    private GatewayIr Gateway1(string backend, BackendIr extra) =>
        Gateway("ns/gw",
            [Port(PortProtocol.Https, 0,
                Listener("ns/gw/a", "a.example.com", Host("a.example.com", Prefix("/", To(backend)))) with
                {
                    Certificates = new[] { CertA.ToIr("a.example.com") },
                })],
            [Backend("ns/a:80", EchoA), extra]);

    private static DataPlaneOptions Options(bool loop) => TestGateway.Options with { LoopHttp2 = loop };

    /// <summary>The <paramref name="requests"/> went the way the test asked for.</summary>
    private static void AssertServedBy(TestGateway g, bool loop, int requests)
    {
        Assert.Equal(loop ? 0 : requests, g.Plane.H2DirectRequests);
        Assert.Equal(loop ? requests : 0, g.Plane.FastPath!.LoopRequests);
        if (loop) Assert.Equal(0, g.Plane.FastPath.LoopHandOffs); // else the loop handed each h2 ClientHello to Kestrel
    }

    private static HttpClient H2Client()
    {
        var handler = new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(15), DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
    }

    private static HttpRequestMessage Get(int port, string path, HttpMethod? method = null, HttpContent? body = null)
    {
        var req = new HttpRequestMessage(method ?? HttpMethod.Get, $"https://127.0.0.1:{port}{path}")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = body,
        };
        req.Headers.Host = "a.example.com";
        return req;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Requests_and_bodies_go_over_the_pooled_connections_with_the_same_forwarded_head(bool loop)
    {
        await using var g = await TestGateway.StartAsync(Options(loop), Gateway1("ns/a:80", Backend("ns/unused:80", EchoB)));
        using var client = H2Client();
        for (var i = 0; i < 3; i++)
        {
            var req = Get(g.Port, $"/get{i}?q=a%20b&x=1");
            req.Headers.Add("X-Forwarded-For", "10.0.0.1");
            req.Headers.Add("X-Custom", "v1");
            req.Headers.TryAddWithoutValidation("Proxy-Authorization", "Basic eDp5"); // a proxy header: dropped, as YARP drops it
            using var r = await client.SendAsync(req);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(HttpVersion.Version20, r.Version);
            var echo = System.Text.Json.JsonSerializer.Deserialize<EchoReply>(await r.Content.ReadAsStringAsync())!;
            Assert.Equal($"/get{i}?q=a%20b&x=1", echo.Path);
            Assert.Equal("HTTP/1.1", echo.Protocol);
            Assert.Equal("a.example.com", echo.Host);
            Assert.Equal("https", echo.Headers["x-forwarded-proto"]);
            Assert.Equal("a.example.com", echo.Headers["x-forwarded-host"]);
            Assert.Equal("10.0.0.1, 127.0.0.1", echo.Headers["x-forwarded-for"]);
            Assert.Equal("v1", echo.Headers["x-custom"]);
            Assert.False(echo.Headers.ContainsKey("proxy-authorization"));
        }
        var body = new string('x', 200_000);
        using (var post = await client.SendAsync(Get(g.Port, "/post", HttpMethod.Post, new StringContent(body))))
        {
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
            Assert.Equal("200000", post.Headers.GetValues("x-echo-body-length").Single());
        }
        Assert.Contains(("/post", body), EchoA.Bodies);
        AssertServedBy(g, loop, 4);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Response_framings_trailers_and_interim_answers_reach_the_h2_client(bool loop)
    {
        var big = new string('y', 300_000);
        await using var raw = new RawBackend(head => head.Split(' ')[1] switch
        {
            "/chunked" => ("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kind: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\n\r\n", false),
            "/close" => ("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end", true),
            "/empty" => ("HTTP/1.1 204 No Content\r\nX-Kind: empty\r\n\r\n", false),
            _ => ($"HTTP/1.1 200 OK\r\nContent-Length: {big.Length}\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n{big}", false),
        });
        await using var g = await TestGateway.StartAsync(Options(loop), Gateway1("ns/raw:80", Backend("ns/raw:80", raw.Port)));
        using var client = H2Client();
        using (var r = await client.SendAsync(Get(g.Port, "/big")))
        {
            Assert.Equal(big, await r.Content.ReadAsStringAsync());
            Assert.Equal(big.Length, r.Content.Headers.ContentLength);
            Assert.Equal("text/plain", r.Content.Headers.ContentType!.MediaType);
            Assert.Equal(["a=1", "b=2"], r.Headers.GetValues("Set-Cookie"));
        }
        using (var r = await client.SendAsync(Get(g.Port, "/chunked")))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("hello world", await r.Content.ReadAsStringAsync());
            Assert.Equal("chunked", r.Headers.GetValues("x-kind").Single());
            Assert.Equal("abc", r.TrailingHeaders.GetValues("x-checksum").Single());
        }
        using (var r = await client.SendAsync(Get(g.Port, "/close")))
            Assert.Equal("until the end", await r.Content.ReadAsStringAsync());
        using (var r = await client.SendAsync(Get(g.Port, "/empty")))
        {
            Assert.Equal(HttpStatusCode.NoContent, r.StatusCode);
            Assert.Equal("empty", r.Headers.GetValues("x-kind").Single());
        }
        using (var r = await client.SendAsync(Get(g.Port, "/big", HttpMethod.Head)))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(big.Length, r.Content.Headers.ContentLength);
            Assert.Empty(await r.Content.ReadAsByteArrayAsync());
        }
        AssertServedBy(g, loop, 5);
        // The keep-alive answers reused pooled connections: /close ended one, the others shared.
        Assert.True(raw.Connections <= 3, $"{raw.Connections} backend connections");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_pooled_connection_the_backend_closed_is_replaced_and_failures_get_the_gateways_answers(bool loop)
    {
        // The backend closes every connection right after its answer without saying so: the next request finds the
        // pooled connection dead before any answer and goes again on a fresh one.
        await using var raw = new RawBackend(head => head.Split(' ')[1] switch
        {
            "/garbage" => ("NOT HTTP AT ALL\r\n\r\n", true),
            _ => (RawBackend.Ok("fine"), true),
        });
        var free = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        free.Start();
        var downPort = ((IPEndPoint)free.LocalEndpoint).Port;
        free.Stop(); // connecting to it is refused
        var rule = Prefix("/", To("ns/raw:80"));
        await using var g = await TestGateway.StartAsync(Options(loop),
            Gateway("ns/gw",
                [Port(PortProtocol.Https, 0,
                    Listener("ns/gw/a", "a.example.com", Host("a.example.com", Prefix("/down", To("ns/down:80")), rule)) with
                    {
                        Certificates = new[] { CertA.ToIr("a.example.com") },
                    })],
                [Backend("ns/raw:80", raw.Port), Backend("ns/down:80", downPort)]));
        using var client = H2Client();
        for (var i = 0; i < 3; i++)
        {
            using var r = await client.SendAsync(Get(g.Port, "/ok"));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("fine", await r.Content.ReadAsStringAsync());
        }
        using (var r = await client.SendAsync(Get(g.Port, "/garbage")))
            Assert.Equal(HttpStatusCode.BadGateway, r.StatusCode);
        using (var r = await client.SendAsync(Get(g.Port, "/down")))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
        AssertServedBy(g, loop, 5);
    }

    [Fact]
    public async Task Switched_off_HttpClient_serves_the_same_requests()
    {
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { Http2DirectUpstream = false, LoopHttp2 = false },
            Gateway1("ns/a:80", Backend("ns/unused:80", EchoB)));
        using var client = H2Client();
        using var r = await client.SendAsync(Get(g.Port, "/x"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(0, g.Plane.H2DirectRequests);
    }
}
