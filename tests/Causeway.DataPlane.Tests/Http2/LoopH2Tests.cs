using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Http2;

/// <summary>
/// HTTP/2 served by the event loop itself (Transports/Http2/EventLoop), seen by real clients over TLS and cleartext:
/// what the loop does on its own — ALPN per port, HEADERS written as an HTTP/1.1 head (repeated fields joined), request
/// bodies streamed with flow control (chunked when unsized and large), a client resetting a stream mid-response, the
/// refusal of a request only Kestrel serves, and ports it leaves to Kestrel. The shared behaviour (policies, filters,
/// timeouts, framings, trailers) is covered by the transport theories elsewhere, which run their h2 cases here.
/// </summary>
public sealed class LoopH2Tests() : TwoHostTlsTest("loop-h2-ca")
{
    private GatewayIr Https(params HttpMatchIr[] extra) => Gateway("ns/gw",
        [Port(PortProtocol.Https, 0,
            Listener("ns/gw/a", null, Host("*", [.. extra, Prefix("/", To("ns/a:80"))])) with
            {
                Certificates = new[] { CertA.ToIr("a.example.com") },
            })],
        Backend("ns/a:80", EchoA));

    private static HttpClient H2Client()
    {
        var handler = new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        return new HttpClient(handler)
        {
            Timeout = TimeSpan.FromSeconds(20),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    private static HttpRequestMessage Request(int port, string path, HttpMethod? method = null, HttpContent? body = null) =>
        new(method ?? HttpMethod.Get, $"https://127.0.0.1:{port}{path}")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = body,
        };

    [Fact]
    public async Task Curl_over_tls_gets_h2_from_the_loop_with_repeated_fields_joined()
    {
        await using var g = await TestGateway.StartAsync(Https());
        var (exit, output, errors) = await ToolProcess.RunAsync("/usr/bin/curl", ["-sS", "-k", "--http2", "--max-time", "15",
            "-H", "cookie: a=1", "-H", "cookie: b=2", "-H", "x-multi: one", "-H", "x-multi: two",
            "-w", "\n%{http_version}", $"https://127.0.0.1:{g.Port}/curl?q=1"]);
        Assert.True(exit == 0, errors);
        var newline = output.LastIndexOf('\n');
        Assert.Equal("2", output[(newline + 1)..].Trim());
        var echo = System.Text.Json.JsonSerializer.Deserialize<EchoReply>(output[..newline])!;
        Assert.Equal("/curl?q=1", echo.Path);
        Assert.Equal("HTTP/1.1", echo.Protocol); // the backend gets HTTP/1.1
        Assert.Equal("a=1; b=2", echo.Headers["cookie"]); // RFC 9113 section 8.2.3
        Assert.Equal("one, two", echo.Headers["x-multi"]);
        Assert.Equal("https", echo.Headers["x-forwarded-proto"]);
        Assert.Equal(1, g.Plane.FastPath!.LoopRequests);
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
        Assert.Equal(0, g.Plane.H2DirectRequests);
    }

    [Fact]
    public async Task H2load_runs_many_streams_on_few_connections_all_on_the_loop()
    {
        await using var g = await TestGateway.StartAsync(Https());
        var (exit, stdout, stderr) = await ToolProcess.RunAsync("/usr/bin/h2load", ["-n", "2000", "-c", "4", "-m", "20", $"https://127.0.0.1:{g.Port}/load"]);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Matches(new Regex("requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored"), stdout);
        Assert.Matches(new Regex("status codes: 2000 2xx"), stdout);
        Assert.Equal(2000, g.Plane.FastPath!.LoopRequests);
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
    }

    [Fact]
    public async Task Hundreds_of_streams_in_flight_keep_reusing_their_backend_connections()
    {
        // 4 connections x 100 streams on one loop: up to 400 backend exchanges at once. Each backend connection goes
        // back to the loop's idle list after its exchange and serves the next stream; none is closed to be opened again
        // (with at most 256 idle kept, every burst closed the extras and the next one connected anew: 7% of requests).
        await using var raw = new RawBackend(_ => (RawBackend.Ok("ok"), false));
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { Http1EventLoopThreads = 1 }, Gateway("ns/gw",
            [Port(PortProtocol.Https, 0,
                Listener("ns/gw/a", null, Host("*", Prefix("/", To("ns/raw:80")))) with { Certificates = new[] { CertA.ToIr("a.example.com") } })],
            Backend("ns/raw:80", raw.Port)));
        for (var round = 0; round < 3; round++)
        {
            var (exit, stdout, stderr) = await ToolProcess.RunAsync("/usr/bin/h2load", ["-n", "4000", "-c", "4", "-m", "100", $"https://127.0.0.1:{g.Port}/burst"]);
            Assert.True(exit == 0, stdout + stderr);
            Assert.Matches(new Regex("status codes: 4000 2xx"), stdout);
        }
        Assert.Equal(12000, g.Plane.FastPath!.LoopRequests);
        Assert.InRange(raw.Connections, 1, 400);
    }

    [Fact]
    public async Task Large_responses_to_clients_with_small_windows_wait_for_window_updates()
    {
        // 64 KiB windows (stream and connection) and 1 MB bodies: every response stops its backend reads many times.
        var body = new string('w', 1_000_000);
        await using var raw = new RawBackend(_ => (RawBackend.Ok(body), false));
        await using var g = await TestGateway.StartAsync(Gateway("ns/gw",
            [Port(PortProtocol.Https, 0,
                Listener("ns/gw/a", null, Host("*", Prefix("/", To("ns/raw:80")))) with { Certificates = new[] { CertA.ToIr("a.example.com") } })],
            Backend("ns/raw:80", raw.Port)));
        var (exit, stdout, stderr) = await ToolProcess.RunAsync("/usr/bin/h2load", ["-n", "40", "-c", "2", "-m", "10", "-w", "16", "-W", "16",
            $"https://127.0.0.1:{g.Port}/big"]);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Matches(new Regex("requests: 40 total, 40 started, 40 done, 40 succeeded, 0 failed, 0 errored"), stdout);
        Assert.Matches(new Regex("status codes: 40 2xx"), stdout);
        Assert.Matches(new Regex(@"traffic: .*\((4[0-9]{7})\) total"), stdout); // 40 bodies of 1 MB arrived
        Assert.Equal(40, g.Plane.FastPath!.LoopRequests);
    }

    [Fact]
    public async Task Request_bodies_of_any_size_stream_to_the_backend_sized_or_not()
    {
        await using var g = await TestGateway.StartAsync(Https());
        using var client = H2Client();
        var big = new string('b', 1_000_000);
        // Sized: the client's Content-Length goes on; 1 MB is far beyond the stream's 64 KiB window.
        using (var r = await client.SendAsync(Request(g.Port, "/sized", HttpMethod.Post, new StringContent(big))))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("1000000", r.Headers.GetValues("x-echo-body-length").Single());
        }
        // Unsized and small: held until its end, then sent with a Content-Length.
        using (var r = await client.SendAsync(Request(g.Port, "/small", HttpMethod.Post, new StreamContent(new UnsizedStream(Encoding.ASCII.GetBytes("tiny body"))))))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        // Unsized and large: chunked to the backend as it arrives.
        using (var r = await client.SendAsync(Request(g.Port, "/unsized", HttpMethod.Post, new StreamContent(new UnsizedStream(Encoding.ASCII.GetBytes(big))))))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("1000000", r.Headers.GetValues("x-echo-body-length").Single());
        }
        Assert.Contains(("/sized", big), EchoA.Bodies);
        Assert.Contains(("/small", "tiny body"), EchoA.Bodies);
        Assert.Contains(("/unsized", big), EchoA.Bodies);
        var received = EchoA.Received.ToDictionary(e => e.Path);
        Assert.Equal("9", received["/small"].Headers["content-length"]);
        Assert.Equal("chunked", received["/unsized"].Headers["transfer-encoding"]);
        Assert.Equal("1000000", received["/sized"].Headers["content-length"]);
        Assert.Equal(3, g.Plane.FastPath!.LoopRequests);
    }

    [Fact]
    public async Task A_stream_the_client_resets_mid_response_ends_its_backend_exchange_and_the_connection_goes_on()
    {
        // The backend answers the head and part of the body, then holds the rest until the gateway closes its connection.
        await using var raw = new RawBackend(head => head.Split(' ')[1] switch
        {
            "/slow" => ("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + new string('s', 1000), false),
            _ => (RawBackend.Ok("fine"), false),
        });
        await using var g = await TestGateway.StartAsync(Gateway("ns/gw",
            [Port(PortProtocol.Https, 0,
                Listener("ns/gw/a", null, Host("*", Prefix("/", To("ns/raw:80")))) with { Certificates = new[] { CertA.ToIr("a.example.com") } })],
            Backend("ns/raw:80", raw.Port)));
        using var client = H2Client();
        using (var r = await client.SendAsync(Request(g.Port, "/slow"), HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var stream = await r.Content.ReadAsStreamAsync();
            var first = new byte[100];
            Assert.True(await stream.ReadAsync(first) > 0);
        } // disposed before the end: RST_STREAM (CANCEL)
        using (var r = await client.SendAsync(Request(g.Port, "/next")))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("fine", await r.Content.ReadAsStringAsync());
        }
        // The reset exchange's backend connection was closed (its body can never complete); /next used another one.
        Assert.Equal(2, raw.Connections);
        Assert.Equal(0, g.Plane.FastPath!.LoopHandOffs);
    }

    [Fact]
    public async Task Expect_100_continue_is_answered_by_the_loop_before_the_body()
    {
        await using var g = await TestGateway.StartAsync(Https());
        var handler = new SocketsHttpHandler { UseProxy = false, Expect100ContinueTimeout = TimeSpan.FromSeconds(10) };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
        var request = Request(g.Port, "/expect", HttpMethod.Post, new StringContent("payload"));
        request.Headers.ExpectContinue = true;
        var watch = Stopwatch.StartNew();
        using (var r = await client.SendAsync(request)) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"the body waited {watch.Elapsed} for 100 Continue");
        Assert.Contains(("/expect", "payload"), EchoA.Bodies);
        Assert.False(EchoA.Received.Single(e => e.Path == "/expect").Headers.ContainsKey("expect"));
        Assert.Equal(0, g.Plane.FastPath!.LoopHandOffs);
    }

    [Fact]
    public async Task A_request_only_kestrel_serves_is_refused_and_the_client_retries_it_on_kestrel()
    {
        await using var g = await TestGateway.StartAsync(Https());
        using var client = H2Client();
        using (var first = await client.SendAsync(Request(g.Port, "/first"))) Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        // A path beyond what the loop's router takes (4 KiB): REFUSED_STREAM, which HttpClient retries on a new
        // connection, and the port's next HTTP/2 connections are Kestrel's (until the next apply).
        var longPath = "/long/" + new string('p', 5000);
        using (var r = await client.SendAsync(Request(g.Port, longPath)))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(HttpVersion.Version20, r.Version);
        }
        Assert.Contains(EchoA.Received, e => e.Path == longPath);
        Assert.Equal(1, g.Plane.FastPath!.LoopRequests);
        Assert.True(g.Plane.FastPath.LoopHandOffs >= 2, $"{g.Plane.FastPath.LoopHandOffs} hand-offs: the refusal and the retried connection's ClientHello");
    }

    [Fact]
    public async Task A_port_with_a_grpc_route_leaves_http2_to_kestrel_and_cleartext_prior_knowledge_elsewhere_is_the_loops()
    {
        var grpc = Prefix("/pkg.Svc/", To("ns/a:80") with { Grpc = true });
        await using var g = await TestGateway.StartAsync(Https(grpc));
        using var client = H2Client();
        using (var r = await client.SendAsync(Request(g.Port, "/plain")))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(HttpVersion.Version20, r.Version);
        }
        Assert.Equal(0, g.Plane.FastPath!.LoopRequests);
        Assert.Equal(1, g.Plane.FastPath.LoopHandOffs); // the ClientHello, to Kestrel's TLS and HTTP/2

        // A cleartext port whose routes all run on the loop: prior-knowledge h2c is the loop's.
        await using var plain = await TestGateway.StartAsync(Gateway("ns/gw2", [HttpPort(Host("*", Prefix("/", To("ns/a:80"))))], Backend("ns/a:80", EchoA)));
        var h2c = plain.Request("h", "/h2c");
        h2c.Version = HttpVersion.Version20;
        h2c.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using (var r = await plain.SendAsync(h2c))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(HttpVersion.Version20, r.Version);
            Assert.Equal("h", System.Text.Json.JsonSerializer.Deserialize<EchoReply>(await r.Content.ReadAsStringAsync())!.Host);
        }
        Assert.Equal(1, plain.Plane.FastPath!.LoopRequests);
        Assert.Equal(0, plain.Plane.FastPath.LoopHandOffs);
    }

    /// <summary>A readable stream that will not tell its length, so the client sends no Content-Length.</summary>
    private sealed class UnsizedStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
