using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Policies.PolicyIr;

namespace Causeway.DataPlane.Tests.Policies;

/// <summary>
/// BackendTrafficPolicy rateLimit.local through real sockets: the counts of 200 and 429, the exact x-ratelimit-*
/// headers, on the HTTP/1.1 event loop (without hand-off) and on HTTP/2 (Kestrel), and buckets kept across reloads.
/// </summary>
public sealed class LocalRateLimitTests
{
    /// <summary>Everyone 10 an hour, john 3 an hour (EG's e2e local-ratelimit "specific user").</summary>
    private static BackendTrafficPolicyIr SpecificUser() => RateLimited(Limit(0, 10, 3600), Limit(1, 3, 3600, HeaderIs("x-user-id", "john")));

    private static void AssertHeaders(RawResponse r, string limit, string remaining)
    {
        Assert.Equal(limit, r.Header("x-ratelimit-limit"));
        Assert.Equal(remaining, r.Header("x-ratelimit-remaining"));
        var reset = int.Parse(r.Header("x-ratelimit-reset")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(reset, 3500, 3600);
    }

    [Fact]
    public async Task Event_loop_answers_429_after_the_limit_with_envoys_headers_and_no_hand_off()
    {
        Assert.True(Native.IsSupported, "the event loop runs on Linux x86-64 and arm64; CI runs there");
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, SpecificUser()));
        await using var c = await RawClient.ConnectAsync(g.Port);
        var statuses = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            await c.SendAsync("GET /limited HTTP/1.1\r\nHost: h\r\nx-user-id: john\r\n\r\n");
            var r = await c.ReadResponseAsync();
            statuses.Add(r.Status);
            if (i < 3)
            {
                AssertHeaders(r, "3", (2 - i).ToString(System.Globalization.CultureInfo.InvariantCulture));
                Assert.Contains("\"/limited\"", r.BodyText); // the backend answered
            }
            else
            {
                AssertHeaders(r, "3", "0");
                Assert.Equal("true", r.Header("x-envoy-ratelimited"));
                Assert.Equal("local_rate_limited", r.BodyText);
            }
        }
        Assert.Equal([200, 200, 200, 429, 429], statuses);

        // Another user: only the 10-an-hour rule applies, which john's 3 passed requests already used.
        await c.SendAsync("GET /limited HTTP/1.1\r\nHost: h\r\nx-user-id: jane\r\n\r\n");
        var jane = await c.ReadResponseAsync();
        Assert.Equal(200, jane.Status);
        AssertHeaders(jane, "10", "6");

        // A route without the policy: no headers.
        await c.SendAsync("GET /free HTTP/1.1\r\nHost: h\r\n\r\n");
        var free = await c.ReadResponseAsync();
        Assert.Equal(200, free.Status);
        Assert.Null(free.Header("x-ratelimit-limit"));

        Assert.Equal(7, g.Plane.FastPath!.LoopRequests);
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
        Assert.Equal(5, echo.RequestCount); // 3 john, jane and /free; the 429s never reached it
    }

    [Fact]
    public async Task Http2_requests_meet_the_same_limit_and_headers()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, RateLimited(Limit(0, 2, 60))));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            var req = g.Request("h", "/limited");
            req.Version = HttpVersion.Version20;
            req.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            using var r = await g.SendAsync(req);
            Assert.Equal(HttpVersion.Version20, r.Version);
            statuses.Add(r.StatusCode);
            Assert.Equal("2", r.Headers.GetValues("x-ratelimit-limit").Single());
            Assert.Equal(i < 2 ? (1 - i).ToString(System.Globalization.CultureInfo.InvariantCulture) : "0", r.Headers.GetValues("x-ratelimit-remaining").Single());
            Assert.InRange(int.Parse(r.Headers.GetValues("x-ratelimit-reset").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
            if (i >= 2) Assert.Equal("local_rate_limited", await r.Content.ReadAsStringAsync());
        }
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task Distinct_header_values_get_their_own_buckets_and_inverted_conditions_exempt()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var perUser = Limit(0, 1, 3600, new RateLimitConditionIr { Kind = RateLimitConditionKind.Header, Name = "x-user", Match = RateLimitMatch.Distinct });
        var notAdmins = Limit(1, 1, 3600, new RateLimitConditionIr { Kind = RateLimitConditionKind.Header, Name = "x-role", Values = new(["admin"]), Invert = true });
        await using var g = await TestGateway.StartAsync(Gateway(echo, RateLimited(perUser, notAdmins)));
        async Task<HttpStatusCode> Get(params (string, string)[] headers)
        {
            using var r = await g.GetAsync("h", "/limited", headers);
            return r.StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, await Get(("x-user", "a"), ("x-role", "admin")));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Get(("x-user", "a"), ("x-role", "admin")));
        Assert.Equal(HttpStatusCode.OK, await Get(("x-user", "b"), ("x-role", "admin")));
        Assert.Equal(HttpStatusCode.OK, await Get(("x-user", "c"), ("x-role", "dev"))); // per-user and not-admin buckets
        Assert.Equal(HttpStatusCode.TooManyRequests, await Get(("x-user", "d"), ("x-role", "dev"))); // not-admin bucket is empty
    }

    [Fact]
    public async Task Buckets_survive_a_reload_that_keeps_the_policy_and_restart_when_it_changes()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, RateLimited(Limit(0, 3, 3600))));
        async Task<(HttpStatusCode, string?)> Get()
        {
            using var r = await g.GetAsync("h", "/limited");
            return (r.StatusCode, r.Headers.TryGetValues("x-ratelimit-remaining", out var v) ? v.Single() : null);
        }
        Assert.Equal((HttpStatusCode.OK, "2"), await Get());
        Assert.Equal((HttpStatusCode.OK, "1"), await Get());

        // Another route appears; the policy is the same: the counts go on.
        await g.ApplyAsync(Gateway(echo, RateLimited(Limit(0, 3, 3600)), extra: "/extra"));
        Assert.Equal(HttpStatusCode.OK, (await g.GetAsync("h", "/extra")).StatusCode);
        Assert.Equal((HttpStatusCode.OK, "0"), await Get());
        Assert.Equal((HttpStatusCode.TooManyRequests, "0"), await Get());

        // The limit changes: a new bucket, full.
        await g.ApplyAsync(Gateway(echo, RateLimited(Limit(0, 5, 3600)), extra: "/extra"));
        Assert.Equal((HttpStatusCode.OK, "4"), await Get());
    }
}
