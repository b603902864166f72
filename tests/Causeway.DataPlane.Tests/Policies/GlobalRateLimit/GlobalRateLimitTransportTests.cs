using System.Diagnostics;
using System.Globalization;
using System.Net;
using Causeway.DataPlane.Policies.RateLimit.Global;
using Causeway.DataPlane.Tests.Support;
using Causeway.Model;
using Causeway.Telemetry;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Policies.PolicyIr;

namespace Causeway.DataPlane.Tests.Policies.GlobalRateLimit;

/// <summary>
/// Global rate limits on every transport: two data planes counting in one real redis-server, driven over HTTP/1.1
/// keep-alive on the event loop and on the relay (the request parked on Redis without a hand-off) and over HTTP/2 on
/// Kestrel; a silent Redis costs a parked keep-alive request the timeout, and the connection goes on. Redis on 127.60.89.3.
/// </summary>
public sealed class GlobalRateLimitTransportTests
{
    /// <summary>Generous, so that counting stays exact on a loaded machine; a silent Redis still costs no more.</summary>
    private static readonly TimeSpan RedisTimeout = TimeSpan.FromSeconds(1);

    private static BackendTrafficPolicyIr Global(params RateLimitRuleIr[] rules) => new()
    {
        Policy = "ns/limits",
        GlobalRateLimit = new GlobalRateLimitIr { Rules = new EquatableArray<RateLimitRuleIr>(rules) },
    };

    private interface IClient : IAsyncDisposable
    {
        Task<(int Status, string? Limit, string? Remaining, string? Limited)> GetAsync(string path);
    }

    /// <summary>One HTTP/1.1 keep-alive connection, written and read by hand.</summary>
    private sealed class KeepAlive(RawClient c) : IClient
    {
        public async Task<(int, string?, string?, string?)> GetAsync(string path)
        {
            await c.SendAsync($"GET {path} HTTP/1.1\r\nHost: h\r\n\r\n");
            var r = await c.ReadResponseAsync();
            return (r.Status, r.Header("x-ratelimit-limit"), r.Header("x-ratelimit-remaining"), r.Header("x-envoy-ratelimited"));
        }

        public ValueTask DisposeAsync() => c.DisposeAsync();
    }

    /// <summary>HTTP/2 with prior knowledge (Kestrel).</summary>
    private sealed class H2(int port) : IClient
    {
        private readonly HttpClient _client = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(20) };

        public async Task<(int, string?, string?, string?)> GetAsync(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}{path}")
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            request.Headers.Host = "h";
            using var r = await _client.SendAsync(request);
            Assert.Equal(HttpVersion.Version20, r.Version);
            static string? H(HttpResponseMessage m, string n) => m.Headers.TryGetValues(n, out var v) ? string.Join(",", v) : null;
            return ((int)r.StatusCode, H(r, "x-ratelimit-limit"), H(r, "x-ratelimit-remaining"), H(r, "x-envoy-ratelimited"));
        }

        public ValueTask DisposeAsync()
        {
            _client.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private static async Task<IClient> ConnectAsync(string transport, TestGateway g) =>
        transport == "h2" ? new H2(g.Port) : new KeepAlive(await RawClient.ConnectAsync(g.Port));

    private static async Task<(TestGateway Gateway, MetricsRegistry Metrics)> StartAsync(string transport, RedisServer redis, GatewayIr ir)
    {
        var metrics = new MetricsRegistry();
        var options = (transport == "relay" ? TestGateway.Options with { Http1EventLoop = false } : TestGateway.Options) with
        {
            Metrics = metrics,
            GlobalRateLimit = new GlobalRateLimitOptions { Redis = RedisAddress.Parse(redis.Url), Timeout = RedisTimeout },
        };
        var g = await TestGateway.StartAsync(options, ir);
        var sw = Stopwatch.StartNew();
        while (!System.Text.RegularExpressions.Regex.IsMatch(metrics.Render(), "(?m)^causeway_ratelimit_redis_connected 1$"))
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(20)) throw new TimeoutException("Redis not connected within 20 s");
            await Task.Delay(20);
        }
        return (g, metrics);
    }

    [Theory]
    [InlineData("loop")]
    [InlineData("relay")]
    [InlineData("h2")]
    public async Task Two_data_planes_share_one_limit_on_every_transport_and_a_silent_redis_costs_only_the_timeout(string transport)
    {
        Assert.True(Native.IsSupported || transport == "h2", "the event loop runs on Linux x86-64 and arm64; CI runs there");
        await using var echo = await EchoBackend.StartAsync("e");
        await using var redis = await RedisServer.StartAsync("127.60.89.3");
        var ir = Gateway(echo, Global(Limit(0, 5, 3600)));
        var (a, _) = await StartAsync(transport, redis, ir);
        await using var _a = a;
        var (b, metricsB) = await StartAsync(transport, redis, ir);
        await using var _b = b;
        await using var clientA = await ConnectAsync(transport, a);
        await using var clientB = await ConnectAsync(transport, b);

        var seen = new List<(int Status, string? Limit, string? Remaining, string? Limited)>();
        for (var i = 0; i < 12; i++) seen.Add(await (i % 2 == 0 ? clientA : clientB).GetAsync("/limited"));
        Assert.Equal([(200, "5", "4", null), (200, "5", "3", null), (200, "5", "2", null), (200, "5", "1", null), (200, "5", "0", null)], seen.Take(5));
        Assert.All(seen.Skip(5), s => Assert.Equal((429, "5", "0", "true"), s));
        var free = await clientA.GetAsync("/free");
        Assert.Equal((200, null), (free.Status, free.Limit));

        // Redis stops answering: each parked request waits the timeout, passes uncounted, and the connection goes on.
        redis.Pause();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var sw = Stopwatch.StartNew();
                var r = await clientB.GetAsync("/limited");
                Assert.True(sw.Elapsed < RedisTimeout + TimeSpan.FromSeconds(2), $"request {i} took {sw.Elapsed}");
                Assert.Equal((200, null), (r.Status, r.Limit));
            }
        }
        finally
        {
            redis.Resume();
        }
        Assert.Contains("causeway_ratelimit_redis_requests_total{result=\"timeout\"} 3", metricsB.Render());
        // Redis answers again: the counter it kept still says over the limit.
        await Causeway.DataPlane.Tests.EndToEnd.E2e.EventuallyAsync(async () => (await clientB.GetAsync("/limited")).Status == 429, TimeSpan.FromSeconds(20), "429 again");

        if (!Native.IsSupported) return;
        switch (transport)
        {
            case "loop":
                Assert.True(a.Plane.FastPath!.LoopRequests >= 7, $"{a.Plane.FastPath.LoopRequests} requests on a's event loop");
                Assert.Equal(0, a.Plane.FastPath.LoopHandOffs);
                Assert.Equal(0, b.Plane.FastPath!.LoopHandOffs);
                break;
            case "relay":
                Assert.True(a.Plane.FastPath!.Requests >= 7, $"{a.Plane.FastPath.Requests} requests on a's relay");
                Assert.Equal(0, a.Plane.FastPath.HandOffs);
                Assert.Equal(0, b.Plane.FastPath!.HandOffs);
                break;
        }
    }

    /// <summary>
    /// cost.request 1 and cost.response 2 against 5 an hour: a request charges 1 before it goes on and 2 once its
    /// exchange is over, so the second request sees 1+2+1 = 4 used and the third is over the limit.
    /// </summary>
    [Theory]
    [InlineData("loop")]
    [InlineData("relay")]
    [InlineData("h2")]
    public async Task A_response_cost_is_charged_once_the_exchange_is_over(string transport)
    {
        Assert.True(Native.IsSupported || transport == "h2", "the event loop runs on Linux x86-64 and arm64; CI runs there");
        await using var echo = await EchoBackend.StartAsync("e");
        await using var redis = await RedisServer.StartAsync("127.60.89.3");
        var rule = Limit(0, 5, 3600) with { Cost = new RateLimitCostIr { Request = 1, Response = 2 } };
        var (g, metrics) = await StartAsync(transport, redis, Gateway(echo, Global(rule)));
        await using var _g = g;
        await using var c = await ConnectAsync(transport, g);
        var seen = new List<(int, string?)>();
        for (var i = 0; i < 3; i++)
        {
            var r = await c.GetAsync("/limited");
            seen.Add((r.Status, r.Remaining));
            // The charge leaves after the response; give it time to reach Redis before the next request does.
            var sw = Stopwatch.StartNew();
            while (!metrics.Render().Contains($"causeway_ratelimit_redis_response_charges_total{{result=\"sent\"}} {i + 1}", StringComparison.Ordinal))
            {
                if (sw.Elapsed > TimeSpan.FromSeconds(10)) throw new TimeoutException($"response charge {i + 1} not sent: {metrics.Render()}");
                await Task.Delay(10);
            }
            await Task.Delay(100);
        }
        Assert.Equal([(200, "4"), (200, "1"), (429, "0")], seen);
    }

    [Fact]
    public async Task An_escaped_path_meets_a_path_condition_by_its_decoded_form()
    {
        Assert.True(Native.IsSupported, "the event loop runs on Linux x86-64 and arm64; CI runs there");
        await using var echo = await EchoBackend.StartAsync("e");
        await using var redis = await RedisServer.StartAsync("127.60.89.3");
        var path = new RateLimitConditionIr { Kind = RateLimitConditionKind.Path, Match = RateLimitMatch.Prefix, Values = new EquatableArray<string>(["/limited/a b"]) };
        var (g, _) = await StartAsync("loop", redis, Gateway(echo, Global(Limit(0, 1, 3600, path))));
        await using var _g = g;
        await using var c = await ConnectAsync("loop", g);
        Assert.Equal((200, "1", "0"), Trim(await c.GetAsync("/limited/a%20b")));
        Assert.Equal((429, "1", "0"), Trim(await c.GetAsync("/limited/a%20b")));
        Assert.Equal((200, null, null), Trim(await c.GetAsync("/limited/other")));
        Assert.True(g.Plane.FastPath!.LoopHandOffs >= 1);

        static (int, string?, string?) Trim((int Status, string? Limit, string? Remaining, string? _) r) => (r.Status, r.Limit, r.Remaining);
    }
}
