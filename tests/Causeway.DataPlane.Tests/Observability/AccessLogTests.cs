using System.Net;
using System.Text.Json.Nodes;
using Causeway.DataPlane.Telemetry.AccessLog;
using Causeway.DataPlane.Tests.EndToEnd;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Observability;

/// <summary>
/// The access log: one JSON line per request with Envoy Gateway's default fields, whatever transport served it, each
/// request once (mirrored and retried ones too), nothing lost under load, and a stuck stdout never holds a request.
/// </summary>
public sealed class AccessLogTests
{
    private const int Pool = 72;

    [Fact]
    public async Task Every_request_is_one_parseable_line_with_envoy_gateways_fields_on_every_transport()
    {
        var (a, _) = await E2e.StartHttpEchoAsync($"127.61.{Pool}.1", "pod-a");
        await using var _a = a;
        await using var run = await CausewayRun.StartAsync("", Pool, d =>
        {
            File.WriteAllText(Path.Combine(d, "base.yaml"), Manifests.GatewayClass + "---\n" + Manifests.Gateway() + "---\n" + Manifests.Service("svc-a", $"127.61.{Pool}.1"));
            File.WriteAllText(Path.Combine(d, "a.yaml"), Manifests.Route("a", "a.example.com", ("svc-a", 1)));
        });
        using var client = E2e.Client(run.GatewayAddress);

        // HTTP/1.1 on the event loop, with the headers the log reports.
        using (var get = new HttpRequestMessage(HttpMethod.Get, "http://a.example.com:8080/one?q=1"))
        {
            get.Headers.TryAddWithoutValidation("x-request-id", "req-1");
            get.Headers.TryAddWithoutValidation("user-agent", "access-log-test/1.0");
            using var r = await client.SendAsync(get);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        // A POST with a body, a request no route matches, and HTTP/2 (the Kestrel pipeline).
        using (var post = await client.PostAsync("http://a.example.com:8080/two", new StringContent("0123456789")))
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        using (var nr = await client.GetAsync("http://nobody.example.com:8080/"))
            Assert.Equal(HttpStatusCode.NotFound, nr.StatusCode);
        using (var h2 = new HttpRequestMessage(HttpMethod.Get, "http://a.example.com:8080/three") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact })
        using (var r = await client.SendAsync(h2))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(HttpVersion.Version20, r.Version);
        }
        // HTTP/1.0 (the event loop too): logged as such.
        using (var h10 = new HttpRequestMessage(HttpMethod.Get, "http://a.example.com:8080/four") { Version = HttpVersion.Version10, VersionPolicy = HttpVersionPolicy.RequestVersionExact })
        using (var r = await client.SendAsync(h10))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);

        var lines = await run.AccessLog.WaitForLinesAsync(5);
        Assert.Equal(5, lines.Length);
        var entries = lines.Select(l => JsonNode.Parse(l)!.AsObject()).ToArray();
        foreach (var field in new[] { "start_time", "method", "x-envoy-origin-path", "protocol", "response_code", "response_flags", "bytes_received",
                     "bytes_sent", "duration", "x-envoy-upstream-service-time", "x-forwarded-for", "user-agent", "x-request-id", ":authority",
                     "upstream_host", "upstream_cluster", "route_name", "downstream_remote_address", "requested_server_name", "trace_id" })
            Assert.All(entries, e => Assert.True(e.ContainsKey(field), $"field {field} missing in {e.ToJsonString()}"));

        var one = entries.Single(e => (string?)e["x-envoy-origin-path"] == "/one?q=1");
        Assert.Equal("GET", (string?)one["method"]);
        Assert.Equal("HTTP/1.1", (string?)one["protocol"]);
        Assert.Equal(200, (int)one["response_code"]!);
        Assert.Equal("-", (string?)one["response_flags"]);
        Assert.Equal("req-1", (string?)one["x-request-id"]);
        Assert.Equal("access-log-test/1.0", (string?)one["user-agent"]);
        Assert.Equal("a.example.com:8080", (string?)one[":authority"]);
        Assert.Equal("test/svc-a:80", (string?)one["upstream_cluster"]);
        Assert.Equal($"127.61.{Pool}.1:3000", (string?)one["upstream_host"]);
        Assert.Equal("httproute/test/a/rule/0", (string?)one["route_name"]);
        Assert.StartsWith("127.0.0.1:", (string?)one["downstream_remote_address"]);
        Assert.True((long)one["bytes_sent"]! > 0);
        Assert.NotNull(one["x-envoy-upstream-service-time"]);

        var two = entries.Single(e => (string?)e["x-envoy-origin-path"] == "/two");
        Assert.Equal("POST", (string?)two["method"]);
        Assert.True((long)two["bytes_received"]! >= 10);

        var notFound = entries.Single(e => (int)e["response_code"]! == 404);
        Assert.Equal("NR", (string?)notFound["response_flags"]);
        Assert.Null(notFound["route_name"]);
        Assert.Null(notFound["upstream_host"]);

        var three = entries.Single(e => (string?)e["x-envoy-origin-path"] == "/three");
        Assert.Equal("HTTP/2", (string?)three["protocol"]);
        Assert.Equal(200, (int)three["response_code"]!);
        Assert.Equal("httproute/test/a/rule/0", (string?)three["route_name"]);

        var four = entries.Single(e => (string?)e["x-envoy-origin-path"] == "/four");
        Assert.Equal("HTTP/1.0", (string?)four["protocol"]);
        Assert.Equal(200, (int)four["response_code"]!);
    }

    [Fact]
    public async Task Mirrored_retried_and_failed_requests_are_logged_once_with_their_flags()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var mirror = await EchoBackend.StartAsync("m");
        var capture = new AccessLogCapture();
        await using var log = new AccessLogWriter(AccessLogFormat.Json, capture);
        var mirrored = To("ns/e:80", "mirrored") with { Filters = new[] { new HttpFilterIr { Mirror = new MirrorIr { BackendId = "ns/m:80" } } } };
        var retried = To("ns/e:80", "retried") with { Retry = new RetryIr { Attempts = 2, Codes = new[] { 500 } } };
        var down = To("ns/down:80", "down");
        var gw = Gateway("ns/gw", [HttpPort(Host("*", Prefix("/mirror", mirrored), Prefix("/retry", retried), Prefix("/down", down)))],
            Backend("ns/e:80", echo), Backend("ns/m:80", mirror), Backend("ns/down:80", ClosedPort()));
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { AccessLog = log }, gw);

        using (var r = await g.GetAsync("h", "/mirror/x")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await g.GetAsync("h", "/retry/x", ("x-echo-fail-first", "1"))) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await g.GetAsync("h", "/down/x")) Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);

        var lines = await capture.WaitForLinesAsync(3);
        await Task.Delay(300); // a second line for the same request would come now
        lines = capture.Lines;
        Assert.Equal(3, lines.Length);
        var byPath = lines.Select(l => JsonNode.Parse(l)!).ToDictionary(e => (string)e["x-envoy-origin-path"]!);
        Assert.Equal(200, (int)byPath["/mirror/x"]["response_code"]!);
        Assert.Equal(200, (int)byPath["/retry/x"]["response_code"]!);
        Assert.Equal(503, (int)byPath["/down/x"]["response_code"]!);
        Assert.Equal("UF", (string?)byPath["/down/x"]["response_flags"]);
        Assert.Equal(3, log.Written);
    }

    [Fact]
    public async Task A_websocket_is_one_line_once_it_closes()
    {
        await using var ws = await EchoBackend.StartAsync("ws");
        var capture = new AccessLogCapture();
        await using var log = new AccessLogWriter(AccessLogFormat.Json, capture);
        var gw = Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/ws:80"))))], Backend("ns/ws:80", ws, BackendProtocol.WebSocket));
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { AccessLog = log }, gw);
        using (var client = new System.Net.WebSockets.ClientWebSocket())
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await client.ConnectAsync(new Uri($"ws://127.0.0.1:{g.Port}/chat"), cts.Token);
            for (var i = 0; i < 3; i++)
            {
                await client.SendAsync("hi"u8.ToArray(), System.Net.WebSockets.WebSocketMessageType.Text, true, cts.Token);
                await client.ReceiveAsync(new byte[64], cts.Token);
            }
            Assert.Empty(capture.Lines); // not logged while it is open
            await client.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, cts.Token);
        }
        var lines = await capture.WaitForLinesAsync(1);
        await Task.Delay(300);
        var line = JsonNode.Parse(Assert.Single(capture.Lines))!;
        Assert.Equal(101, (int)line["response_code"]!);
        Assert.Equal("/chat", (string?)line["x-envoy-origin-path"]);
        Assert.Equal("ns/ws:80", (string?)line["upstream_cluster"]);
    }

    [Fact]
    public async Task Each_grpc_call_is_one_parseable_line_once()
    {
        await using var echo = await Causeway.Echo.EchoServer.StartAsync(new Causeway.Echo.EchoOptions
        {
            Mode = Causeway.Echo.EchoMode.Grpc,
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
        var capture = new AccessLogCapture();
        await using var log = new AccessLogWriter(AccessLogFormat.Json, capture);
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { AccessLog = log },
            Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/grpc:8080", "grpc"))))], backend));
        using (var handler = new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(10) })
        using (var channel = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{g.Port}", new Grpc.Net.Client.GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = false }))
        {
            var client = new Causeway.Echo.Grpc.GrpcEcho.GrpcEchoClient(channel);
            for (var i = 0; i < 3; i++)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var reply = await client.EchoAsync(new Causeway.Echo.Grpc.EchoRequest(), cancellationToken: cts.Token);
                Assert.Equal("grpc-pod", reply.Assertions.Context.Pod);
            }
        }
        await capture.WaitForLinesAsync(3);
        await Task.Delay(300); // a second line for the same call would come now
        var lines = capture.Lines;
        Assert.Equal(3, lines.Length);
        Assert.All(lines.Select(l => JsonNode.Parse(l)!), e =>
        {
            Assert.Equal("POST", (string?)e["method"]);
            Assert.Equal("/gateway_api_conformance.echo_basic.grpcecho.GrpcEcho/Echo", (string?)e["x-envoy-origin-path"]);
            Assert.Equal("HTTP/2", (string?)e["protocol"]);
            Assert.Equal(200, (int)e["response_code"]!);
            Assert.Equal("-", (string?)e["response_flags"]);
            Assert.Equal("ns/grpc:8080", (string?)e["upstream_cluster"]);
            Assert.Equal("grpc", (string?)e["route_name"]);
        });
        Assert.Equal(3, log.Written);
    }

    [Fact]
    public async Task Ten_thousand_requests_give_ten_thousand_lines_and_nothing_is_dropped()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var capture = new AccessLogCapture();
        await using var log = new AccessLogWriter(AccessLogFormat.Json, capture);
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { AccessLog = log }, OneRoute(echo));
        const int total = 10_000;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            await using var c = await RawClient.ConnectAsync(g.Port);
            while (Interlocked.Increment(ref next) < total)
            {
                await c.SendAsync("GET /n HTTP/1.1\r\nHost: h\r\n\r\n");
                Assert.Equal(200, (await c.ReadResponseAsync()).Status);
            }
        }));
        var lines = await capture.WaitForLinesAsync(total, TimeSpan.FromSeconds(30));
        Assert.Equal(total, lines.Length);
        Assert.All(lines, l => Assert.Equal(200, (int)JsonNode.Parse(l)!["response_code"]!));
        Assert.Equal(0, log.Dropped);
    }

    [Fact]
    public async Task A_stuck_stdout_drops_and_counts_lines_and_never_holds_a_request()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var stuck = new StuckStream();
        await using var log = new AccessLogWriter(AccessLogFormat.Json, stuck, capacity: 64);
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { AccessLog = log }, OneRoute(echo));
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            // The writer blocks in its first write for as long as the test runs: every request must still be answered.
            for (var i = 0; i < 500; i++)
            {
                await c.SendAsync("GET /n HTTP/1.1\r\nHost: h\r\n\r\n");
                Assert.Equal(200, (await c.ReadResponseAsync()).Status);
            }
        }
        Assert.True(stuck.Entered.Wait(TimeSpan.FromSeconds(10)), "the writer never reached its output");
        await WaitUntil(() => log.Dropped >= 500 - 64 - 512);
        Assert.True(log.Dropped > 0, "a full queue drops");
        stuck.Release();
        await WaitUntil(() => log.Written + log.Dropped == 500);
        Assert.Equal(500, log.Written + log.Dropped);
    }

    [Fact]
    public async Task The_text_format_is_envoys_default_line()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var capture = new AccessLogCapture();
        await using var log = new AccessLogWriter(AccessLogFormat.Text, capture);
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { AccessLog = log }, OneRoute(echo));
        using (var r = await g.GetAsync("h", "/t?x=1", ("x-request-id", "abc"), ("user-agent", "ua")))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var line = (await capture.WaitForLinesAsync(1)).Single();
        Assert.Matches(@"^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] ""GET /t\?x=1 HTTP/1\.1"" 200 - \d+ \d+ \d+ \d+ ""[^""]*"" ""ua"" ""abc"" ""h(:\d+)?"" ""127\.0\.0\.1:\d+""$", line);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(20);
    }

    /// <summary>A port nothing listens on (connections are refused).</summary>
    private static int ClosedPort()
    {
        using var l = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>An output whose writes block until released (a stdout nobody reads).</summary>
    private sealed class StuckStream : WriteOnlyStream
    {
        private readonly ManualResetEventSlim _release = new();

        public ManualResetEventSlim Entered { get; } = new();

        public void Release() => _release.Set();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Entered.Set();
            _release.Wait(TimeSpan.FromSeconds(60));
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.Run(() => Write(buffer, offset, count), cancellationToken);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            new(Task.Run(() => Write([], 0, 0), cancellationToken));

    }
}
