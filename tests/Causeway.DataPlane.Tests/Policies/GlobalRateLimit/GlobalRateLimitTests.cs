using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Causeway.DataPlane.Tests.EndToEnd;

namespace Causeway.DataPlane.Tests.Policies.GlobalRateLimit;

/// <summary>
/// examples/eg-policies/global-rate-limit through real <c>causeway run</c> processes (in-process CLI) counting in a real
/// redis-server: replicas share one limit exactly, selectors make separate counters, a shared rule counts across
/// routes, Redis going away fails open or closed within the timeout, and counting resumes when it is back. Addresses:
/// gateways 127.60.85-88, the echo backend 127.60.89.1, Redis 127.60.89.2.
/// </summary>
public sealed class GlobalRateLimitTests
{
    private const string EchoAddress = "127.60.89.1";
    private const string RedisAddress = "127.60.89.2";
    private const string Host = "http://ratelimit.example:8080";

    /// <summary><c>causeway run</c> on the example; a Redis timeout of 2 s unless <paramref name="args"/> set one, so counts stay exact on a loaded machine.</summary>
    private static Task<CausewayRun> RunAsync(int pool, params string[] args) =>
        CausewayRun.StartAsync("eg-policies/global-rate-limit", pool, d => E2e.RetargetSlice(d, "backends.yaml", "nginx-local", EchoAddress),
            args: args.Contains("--rate-limit-redis-timeout") ? args : [.. args, "--rate-limit-redis-timeout", "2s"]);

    private static async Task<string> MetricsAsync(CausewayRun run)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return await http.GetStringAsync(new Uri(run.MetricsAddress!, "metrics"));
    }

    private static async Task<long> MetricAsync(CausewayRun run, string series)
    {
        var m = Regex.Match(await MetricsAsync(run), "(?m)^" + Regex.Escape(series) + @" (\d+)");
        return m.Success ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
    }

    /// <summary>Redis is connected (the client connects in the background after start).</summary>
    private static Task ConnectedAsync(CausewayRun run) =>
        E2e.EventuallyAsync(async () => await MetricAsync(run, "causeway_ratelimit_redis_connected") == 1, TimeSpan.FromSeconds(20), "Redis connected");

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string? user = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Host + path);
        if (user is not null) request.Headers.Add("x-user-id", user);
        return await client.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage r, string name) =>
        r.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private static void AssertLimited(HttpResponseMessage r, string limit)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode);
        Assert.Equal(limit, Header(r, "x-ratelimit-limit"));
        Assert.Equal("0", Header(r, "x-ratelimit-remaining"));
        Assert.InRange(long.Parse(Header(r, "x-ratelimit-reset")!, CultureInfo.InvariantCulture), 1, 3600);
        Assert.Equal("true", Header(r, "x-envoy-ratelimited"));
    }

    [Fact]
    public async Task TwoProcessesShareOneLimitExactlyAndThePasswordIsNeverShown()
    {
        var (echo, _) = await E2e.StartHttpEchoAsync(EchoAddress);
        await using var _e = echo;
        await using var redis = await RedisServer.StartAsync(RedisAddress, password: "s3cret-pw");
        await using var a = await RunAsync(85, "--rate-limit-redis", redis.Url);
        await using var b = await RunAsync(86, "--rate-limit-redis", redis.Url);
        await ConnectedAsync(a);
        await ConnectedAsync(b);
        using var clientA = E2e.Client(a.GatewayAddress);
        using var clientB = E2e.Client(b.GatewayAddress);

        var seen = new List<(char Process, HttpStatusCode Status, string? Limit, string? Remaining)>();
        for (var i = 0; i < 12; i++)
        {
            var process = i % 2 == 0 ? 'a' : 'b';
            using var r = await GetAsync(process == 'a' ? clientA : clientB, "/global-all");
            if (r.StatusCode == HttpStatusCode.TooManyRequests) AssertLimited(r, "5");
            seen.Add((process, r.StatusCode, Header(r, "x-ratelimit-limit"), Header(r, "x-ratelimit-remaining")));
        }
        // Five in total across both processes, in order, each seeing the other's requests counted; the rest 429.
        Assert.Equal(
            [('a', HttpStatusCode.OK, "5", "4"), ('b', HttpStatusCode.OK, "5", "3"), ('a', HttpStatusCode.OK, "5", "2"),
             ('b', HttpStatusCode.OK, "5", "1"), ('a', HttpStatusCode.OK, "5", "0")],
            seen.Take(5));
        Assert.All(seen.Skip(5), s => Assert.Equal(HttpStatusCode.TooManyRequests, s.Status));

        Assert.True(await MetricAsync(a, "causeway_ratelimit_redis_requests_total{result=\"ok\"}") >= 6);
        Assert.Equal(3, await MetricAsync(a, "causeway_ratelimit_global_decisions_total{result=\"allowed\"}"));
        Assert.Equal(3, await MetricAsync(a, "causeway_ratelimit_global_decisions_total{result=\"limited\"}"));
        Assert.Equal(0, await MetricAsync(a, "causeway_ratelimit_redis_requests_total{result=\"error\"}"));

        // The policies are accepted without a warning (a Redis is configured); the password appears nowhere.
        var status = (await a.StatusAsync()).ToJsonString();
        Assert.DoesNotContain("s3cret-pw", status);
        Assert.DoesNotContain("no Redis is configured", status);
        using var admin = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        Assert.DoesNotContain("s3cret-pw", await admin.GetStringAsync(new Uri(a.Admin, "config_dump")));
        Assert.DoesNotContain("s3cret-pw", a.Output + b.Output);
        var (exit, output, _) = await a.StatusCommandAsync("-A");
        Assert.Equal(0, exit);
        Assert.Matches(@"(?m)^test\s+global-all\s+BackendTrafficPolicy\s+Gateway test/test-gw\s+True\s", output);
        Assert.Equal(0, await a.StopAsync());
        Assert.Equal(0, await b.StopAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RedisGoingAwayFailsOpenOrClosedWithinTheTimeoutAndCountingResumesWhenItIsBack(bool failClosed)
    {
        var (echo, _) = await E2e.StartHttpEchoAsync(EchoAddress);
        await using var _e = echo;
        await using var redis = await RedisServer.StartAsync(RedisAddress);
        var timeout = TimeSpan.FromSeconds(1);
        string[] args = ["--rate-limit-redis", redis.Url, "--rate-limit-redis-timeout", "1s", .. failClosed ? ["--rate-limit-fail-closed"] : Array.Empty<string>()];
        await using var run = await RunAsync(87, args);
        await ConnectedAsync(run);
        using var client = E2e.Client(run.GatewayAddress);
        using (var first = await GetAsync(client, "/global-all"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal("4", Header(first, "x-ratelimit-remaining"));
        }

        async Task AssertFailedFastAsync(string phase)
        {
            for (var i = 0; i < 3; i++)
            {
                var sw = Stopwatch.StartNew();
                using var r = await GetAsync(client, "/global-all");
                sw.Stop();
                // Generous for a loaded CI machine: the wait is bounded by the timeout, not by Redis.
                Assert.True(sw.Elapsed < timeout + TimeSpan.FromSeconds(2), $"{phase}: request {i} took {sw.Elapsed}");
                Assert.Equal(failClosed ? HttpStatusCode.InternalServerError : HttpStatusCode.OK, r.StatusCode);
                Assert.Null(Header(r, "x-ratelimit-limit"));
            }
        }

        redis.Pause(); // connected, but nothing answers: every request waits the timeout, no longer
        await AssertFailedFastAsync("paused");
        Assert.True(await MetricAsync(run, "causeway_ratelimit_redis_requests_total{result=\"timeout\"}") >= 3);
        await redis.KillAsync(); // gone: requests fail at once
        await AssertFailedFastAsync("stopped");
        Assert.True(await MetricAsync(run, "causeway_ratelimit_redis_requests_total{result=\"error\"}") >= 1);
        Assert.True(await MetricAsync(run, $"causeway_ratelimit_global_decisions_total{{result=\"{(failClosed ? "failed_closed" : "failed_open")}\"}}") >= 6);

        // A new, empty Redis on the same address: the client reconnects and counting starts over.
        await redis.StartAgainAsync();
        string? remaining = null;
        await E2e.EventuallyAsync(async () =>
        {
            using var r = await GetAsync(client, "/global-all");
            remaining = Header(r, "x-ratelimit-remaining");
            return r.StatusCode == HttpStatusCode.OK && remaining is not null;
        }, TimeSpan.FromSeconds(30), "counting again after Redis restarted");
        Assert.Equal("4", remaining);
        Assert.Equal(0, await run.StopAsync());
    }

    [Fact]
    public async Task DistinctHeaderValuesGetTheirOwnCountersAndShadowRulesNeverDeny()
    {
        var (echo, _) = await E2e.StartHttpEchoAsync(EchoAddress);
        await using var _e = echo;
        await using var redis = await RedisServer.StartAsync(RedisAddress);
        await using var run = await RunAsync(88, "--rate-limit-redis", redis.Url);
        await ConnectedAsync(run);
        using var client = E2e.Client(run.GatewayAddress);

        foreach (var user in new[] { "alice", "bob" })
        {
            var statuses = new List<(HttpStatusCode, string?)>();
            for (var i = 0; i < 3; i++)
            {
                using var r = await GetAsync(client, "/global-per-user", user);
                if (r.StatusCode == HttpStatusCode.TooManyRequests) AssertLimited(r, "2");
                statuses.Add((r.StatusCode, Header(r, "x-ratelimit-remaining")));
            }
            Assert.Equal([(HttpStatusCode.OK, "1"), (HttpStatusCode.OK, "0"), (HttpStatusCode.TooManyRequests, "0")], statuses);
        }
        using (var carol = await GetAsync(client, "/global-per-user", "carol"))
        {
            Assert.Equal(HttpStatusCode.OK, carol.StatusCode);
            Assert.Equal("1", Header(carol, "x-ratelimit-remaining"));
        }
        // Without x-user-id only the shadow rule matches: over its limit of 1, counted, never denied, no headers.
        for (var i = 0; i < 3; i++)
        {
            using var r = await GetAsync(client, "/global-per-user");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Null(Header(r, "x-ratelimit-limit"));
        }
        Assert.True(await MetricAsync(run, "causeway_ratelimit_global_decisions_total{result=\"shadow_limited\"}") >= 3);
        Assert.Equal(0, await run.StopAsync());
    }

    [Fact]
    public async Task ASharedRuleCountsOneBucketAcrossTwoRoutes()
    {
        var (echo, _) = await E2e.StartHttpEchoAsync(EchoAddress);
        await using var _e = echo;
        await using var redis = await RedisServer.StartAsync(RedisAddress);
        await using var run = await RunAsync(88, "--rate-limit-redis", redis.Url);
        await ConnectedAsync(run);
        using var client = E2e.Client(run.GatewayAddress);

        var seen = new List<(string Path, HttpStatusCode Status, string? Remaining)>();
        foreach (var path in new[] { "/shared-a", "/shared-b", "/shared-a", "/shared-b", "/shared-a" })
        {
            using var r = await GetAsync(client, path);
            if (r.StatusCode == HttpStatusCode.TooManyRequests) AssertLimited(r, "3");
            seen.Add((path, r.StatusCode, Header(r, "x-ratelimit-remaining")));
        }
        Assert.Equal(
            [("/shared-a", HttpStatusCode.OK, "2"), ("/shared-b", HttpStatusCode.OK, "1"), ("/shared-a", HttpStatusCode.OK, "0"),
             ("/shared-b", HttpStatusCode.TooManyRequests, "0"), ("/shared-a", HttpStatusCode.TooManyRequests, "0")],
            seen);
        // Another policy's counter is its own.
        using (var other = await GetAsync(client, "/global-all"))
            Assert.Equal("4", Header(other, "x-ratelimit-remaining"));
        Assert.Equal(0, await run.StopAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WithoutRedisThePolicyIsWarnedAndRequestsFailAsConfigured(bool failClosed)
    {
        var (echo, _) = await E2e.StartHttpEchoAsync(EchoAddress);
        await using var _e = echo;
        await using var run = await RunAsync(88, failClosed ? ["--rate-limit-fail-closed"] : []);
        using var client = E2e.Client(run.GatewayAddress);
        for (var i = 0; i < 7; i++)
        {
            using var r = await GetAsync(client, "/global-all");
            Assert.Equal(failClosed ? HttpStatusCode.InternalServerError : HttpStatusCode.OK, r.StatusCode);
            Assert.Null(Header(r, "x-ratelimit-limit"));
        }
        var status = (await run.StatusAsync()).ToJsonString();
        Assert.Contains("spec.rateLimit.global: no Redis is configured for global rate limits", status);
        Assert.Equal(0, await run.StopAsync());
    }
}
