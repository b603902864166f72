using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies.BackendConnection;

/// <summary>
/// BackendTrafficPolicy <c>circuitBreaker.perEndpoint.maxConnections</c> on HTTP routes: no more connections to an
/// endpoint than the limit; a request needing one more is answered as Envoy's overflow (503,
/// <c>x-envoy-overloaded: true</c>) without reaching the backend, and an idle connection is reused as before.
/// </summary>
public sealed class PerEndpointConnectionLimitTests
{
    private static GatewayIr Gateway(EchoBackend echo, long max) =>
        Support.Ir.Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/e:80", "httproute/ns/r/rule/0") with
        {
            BackendTraffic = new BackendTrafficPolicyIr { Policy = "ns/cb", CircuitBreaker = new CircuitBreakerIr { MaxConnectionsPerEndpoint = max } },
        })))], Backend("ns/e:80", echo) with
        {
            // What the translator folds into the backend's connection settings from the policies reaching it.
            Connection = new BackendConnectionIr { MaxConnectionsPerEndpoint = max },
        });

    [Theory]
    [InlineData("loop")]
    [InlineData("relay")]
    public async Task A_request_needing_a_connection_beyond_the_limit_is_answered_503_overloaded(string transport)
    {
        await using var slow = await EchoBackend.StartAsync("slow", fixedDelay: TimeSpan.FromMilliseconds(700));
        // One event loop: a loop with no connection of its own to the endpoint may always open one (below).
        var options = transport == "relay" ? TestGateway.Options with { Http1EventLoop = false } : TestGateway.Options with { Http1EventLoopThreads = 1 };
        await using var g = await TestGateway.StartAsync(options, Gateway(slow, 1));
        await using var first = await RawClient.ConnectAsync(g.Port);
        await first.SendAsync("GET /one HTTP/1.1\r\nHost: h\r\n\r\n");
        // The first request holds the endpoint's only connection once the backend has it (a fixed wait was too short
        // once on a loaded machine); the backend holds it 700 ms.
        for (var i = 0; i < 100 && slow.RequestCount == 0; i++) await Task.Delay(20);
        Assert.Equal(1, slow.RequestCount);
        await using (var second = await RawClient.ConnectAsync(g.Port))
        {
            await second.SendAsync("GET /two HTTP/1.1\r\nHost: h\r\n\r\n");
            var over = await second.ReadResponseAsync();
            Assert.Equal(503, over.Status);
            Assert.Equal("true", over.Header("x-envoy-overloaded"));
        }
        Assert.Equal(200, (await first.ReadResponseAsync()).Status);
        // The connection went back idle: the same client's next request reuses it.
        await first.SendAsync("GET /three HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Equal(200, (await first.ReadResponseAsync()).Status);
        Assert.Equal(2, slow.RequestCount);
        Assert.Equal(1, g.Plane.FastPath!.Pools.Find("127.0.0.1", slow.Port)!.OpenConnections);
        var fast = g.Plane.FastPath!;
        if (Native.IsSupported && transport == "loop") Assert.Equal(0, fast.LoopHandOffs);
        if (transport == "relay") Assert.Equal(0, fast.HandOffs);
    }

    /// <summary>
    /// As each Envoy worker's pool always opens its first connection to an endpoint, each event loop may: connections idle
    /// on one loop never starve another (with two loops and a limit of 1, new clients are all served, over at most two
    /// connections).
    /// </summary>
    [Fact]
    public async Task Each_event_loop_may_open_its_first_connection_to_the_endpoint()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { Http1EventLoopThreads = 2 }, Gateway(echo, 1));
        for (var i = 0; i < 8; i++)
        {
            await using var c = await RawClient.ConnectAsync(g.Port);
            await c.SendAsync($"GET /{i} HTTP/1.1\r\nHost: h\r\n\r\n");
            var r = await c.ReadResponseAsync();
            Assert.True(r.Status == 200, $"request {i}: {r.Status} {r.Header("x-envoy-overloaded")}");
        }
        Assert.InRange(g.Plane.FastPath!.Pools.Find("127.0.0.1", echo.Port)!.OpenConnections, 1, 2);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_http2_client_needing_a_second_connection_is_answered_503_overloaded(bool loop)
    {
        await using var slow = await EchoBackend.StartAsync("slow", fixedDelay: TimeSpan.FromMilliseconds(700));
        // The loop's own HTTP/2 (one loop: each loop may open its first connection to the endpoint, and HttpClient may
        // open a second client connection that lands on another loop), or Kestrel's.
        var options = loop ? TestGateway.Options with { Http1EventLoopThreads = 1 } : TestGateway.Options with { LoopHttp2 = false };
        await using var g = await TestGateway.StartAsync(options, Gateway(slow, 1));
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(15) };
        HttpRequestMessage Request(string path)
        {
            var r = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{g.Port}{path}") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            r.Headers.Host = "h";
            return r;
        }
        var first = client.SendAsync(Request("/one"));
        // Its backend connection is busy once the backend has it: a second stream needs another one.
        for (var i = 0; i < 100 && slow.RequestCount == 0; i++) await Task.Delay(20);
        Assert.Equal(1, slow.RequestCount);
        using (var over = await client.SendAsync(Request("/two")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, over.StatusCode);
            Assert.Equal("true", over.Headers.GetValues("x-envoy-overloaded").Single());
        }
        using (var ok = await first) Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using (var again = await client.SendAsync(Request("/three"))) Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(2, slow.RequestCount);
    }

    [Fact]
    public async Task Under_the_limit_nothing_is_refused()
    {
        await using var slow = await EchoBackend.StartAsync("slow", fixedDelay: TimeSpan.FromMilliseconds(300));
        await using var g = await TestGateway.StartAsync(Gateway(slow, 3));
        var statuses = await Task.WhenAll(Enumerable.Range(0, 3).Select(async i =>
        {
            await using var c = await RawClient.ConnectAsync(g.Port);
            await c.SendAsync($"GET /{i} HTTP/1.1\r\nHost: h\r\n\r\n");
            return (await c.ReadResponseAsync()).Status;
        }));
        Assert.Equal(new[] { 200, 200, 200 }, statuses);
    }
}
