using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Http;

/// <summary>The HTTP/1.1 fast path on HTTPS ports: behind the TLS middleware, pipe writes only, HTTPS semantics.</summary>
public sealed class FastPathTlsTests() : TwoHostTlsTest("fast-tls-ca")
{
    private GatewayIr TwoListeners(ClientValidationIr? validationOnB = null, string backendA = "ns/a:80", BackendIr? extra = null)
    {
        var backends = new List<BackendIr> { Backend("ns/a:80", EchoA), Backend("ns/b:80", EchoB) };
        if (extra is not null) backends.Add(extra);
        return Gateway("ns/gw",
            [Port(PortProtocol.Https, 0,
                Listener("ns/gw/a", "a.example.com", Host("a.example.com", Prefix("/", To(backendA)))) with
                {
                    Certificates = new[] { CertA.ToIr("a.example.com") },
                },
                Listener("ns/gw/b", "b.example.com", Host("b.example.com", Prefix("/", To("ns/b:80")))) with
                {
                    Certificates = new[] { CertB.ToIr("b.example.com") },
                    ClientValidation = validationOnB,
                })],
            [.. backends]);
    }

    private static HttpClient HttpsClient()
    {
        var handler = new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, MaxConnectionsPerServer = 1 };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(15) };
    }

    private static HttpRequestMessage Request(int port, string host, string path, Version version, HttpContent? body = null)
    {
        var req = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Post, $"https://127.0.0.1:{port}{path}")
        {
            Version = version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = body,
        };
        req.Headers.Host = host;
        return req;
    }

    [Fact]
    public async Task Https_keep_alive_requests_are_relayed_by_the_fast_path()
    {
        // Direct socket sends are on (the default): a TLS connection must still write through the TLS stream, or the
        // client would read plaintext where it expects records and fail.
        Assert.True(TestGateway.Options.Http1DirectSend);
        await using var g = await TestGateway.StartAsync(TwoListeners());
        using var client = HttpsClient();
        for (var i = 0; i < 4; i++)
        {
            using var r = await client.SendAsync(Request(g.Port, "a.example.com", $"/get{i}?q=1", HttpVersion.Version11));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(HttpVersion.Version11, r.Version);
            var echo = System.Text.Json.JsonSerializer.Deserialize<EchoReply>(await r.Content.ReadAsStringAsync())!;
            Assert.Equal("a", echo.Name);
            Assert.Equal($"/get{i}?q=1", echo.Path);
            Assert.Equal("https", echo.Headers["x-forwarded-proto"]);
            Assert.Equal("a.example.com", echo.Headers["x-forwarded-host"]);
        }
        var body = new string('x', 50_000);
        using (var post = await client.SendAsync(Request(g.Port, "a.example.com", "/post", HttpVersion.Version11, new StringContent(body))))
        {
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
            Assert.Equal("50000", post.Headers.GetValues("x-echo-body-length").Single());
        }
        Assert.Contains(("/post", body), EchoA.Bodies);
        Assert.Equal(5, g.Plane.FastPath!.Requests);
        Assert.Equal(0, g.Plane.FastPath.HandOffs);
    }

    [Fact]
    public async Task Https_large_and_chunked_responses_are_relayed_by_the_fast_path()
    {
        var big = new string('y', 300_000);
        await using var raw = new RawBackend(head => head.Split(' ')[1] switch
        {
            "/chunked" => ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", false),
            _ => ($"HTTP/1.1 200 OK\r\nContent-Length: {big.Length}\r\n\r\n{big}", false),
        });
        await using var g = await TestGateway.StartAsync(TwoListeners(backendA: "ns/raw:80", extra: Backend("ns/raw:80", raw.Port)));
        using var client = HttpsClient();
        Assert.Equal(big, await (await client.SendAsync(Request(g.Port, "a.example.com", "/big", HttpVersion.Version11))).Content.ReadAsStringAsync());
        Assert.Equal("hello world", await (await client.SendAsync(Request(g.Port, "a.example.com", "/chunked", HttpVersion.Version11))).Content.ReadAsStringAsync());
        Assert.Equal(2, g.Plane.FastPath!.Requests);
        Assert.Contains(raw.Requests, r => r.Contains("X-Forwarded-Proto: https\r\n", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Http2_by_alpn_goes_to_kestrel_untouched()
    {
        // The relay's view of Kestrel's TLS: with the loop's HTTP/2 off, h2 is Kestrel's alone.
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { LoopHttp2 = false }, TwoListeners());
        using var client = HttpsClient();
        for (var i = 0; i < 2; i++)
        {
            using var r = await client.SendAsync(Request(g.Port, "a.example.com", "/h2", HttpVersion.Version20));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(HttpVersion.Version20, r.Version);
            var echo = System.Text.Json.JsonSerializer.Deserialize<EchoReply>(await r.Content.ReadAsStringAsync())!;
            Assert.Equal("https", echo.Headers["x-forwarded-proto"]);
        }
        Assert.Equal(0, g.Plane.FastPath!.Requests);
        Assert.Equal(0, g.Plane.FastPath.HandOffs); // never entered the fast path, so never handed off either
    }

    [Fact]
    public async Task Sni_for_another_listener_than_host_is_421_and_the_matching_one_is_relayed()
    {
        await using var g = await TestGateway.StartAsync(TwoListeners());
        // Routing (and its 421) is shared: the fast path answers it itself.
        Assert.StartsWith("HTTP/1.1 421", await RawHttps.GetAsync(g.Port, "a.example.com", "b.example.com", null));
        Assert.Equal(1, g.Plane.FastPath!.Requests);
        Assert.Equal(0, g.Plane.FastPath.HandOffs);
        var ok = await RawHttps.GetAsync(g.Port, "a.example.com", "a.example.com", null);
        Assert.StartsWith("HTTP/1.1 200", ok);
        Assert.Contains("\"x-forwarded-proto\":\"https\"", ok);
        Assert.Equal(2, g.Plane.FastPath.Requests);
        // No SNI at all (an IP address as target host): Host decides, as in the full pipeline.
        Assert.StartsWith("HTTP/1.1 200", await RawHttps.GetAsync(g.Port, null, "a.example.com", null));
        Assert.Equal(3, g.Plane.FastPath.Requests);
    }

    [Fact]
    public async Task Port_with_client_certificate_validation_is_served_by_the_fast_path()
    {
        var validation = new ClientValidationIr { CaBundlePem = Ca.CertificatePem, Mode = ClientValidationMode.AllowValidOnly };
        await using var g = await TestGateway.StartAsync(TwoListeners(validationOnB: validation));
        var good = TestCerts.CreateLeaf(Ca, "client");
        var bad = TestCerts.CreateLeaf(TestCerts.CreateCa("other-ca"), "intruder");
        Assert.StartsWith("HTTP/1.1 200", await RawHttps.GetAsync(g.Port, "b.example.com", "b.example.com", good.Certificate));
        await Assert.ThrowsAnyAsync<Exception>(() => RawHttps.GetAsync(g.Port, "b.example.com", "b.example.com", null));
        await Assert.ThrowsAnyAsync<Exception>(() => RawHttps.GetAsync(g.Port, "b.example.com", "b.example.com", bad.Certificate));
        Assert.StartsWith("HTTP/1.1 200", await RawHttps.GetAsync(g.Port, "a.example.com", "a.example.com", null));
        // Listener a does not validate but shares the port: a handshake that did not validate (no SNI: the fallback's
        // options, or SNI a) never reaches b, on this transport as on Kestrel (the shared router answers 421).
        Assert.StartsWith("HTTP/1.1 421", await RawHttps.GetAsync(g.Port, "a.example.com", "b.example.com", null));
        var noSni = await RawHttps.GetAsync(g.Port, null, "b.example.com", null);
        Assert.StartsWith("HTTP/1.1 421", noSni);
        Assert.Equal(4, g.Plane.FastPath!.Requests); // the refused handshakes never made a request
        Assert.Equal(0, g.Plane.FastPath.HandOffs);
        Assert.Equal(4, g.Plane.FastPath.LoopRequests); // the event loops terminate the validating listener's TLS too
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
    }

    [Fact]
    public async Task Https_with_the_fast_path_switched_off_is_served_by_kestrel()
    {
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { Http1FastPath = false }, TwoListeners());
        Assert.Null(g.Plane.FastPath);
        var ok = await RawHttps.GetAsync(g.Port, "a.example.com", "a.example.com", null);
        Assert.StartsWith("HTTP/1.1 200", ok);
        Assert.Contains("\"x-forwarded-proto\":\"https\"", ok);
    }
}
