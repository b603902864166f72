using System.Net;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>
/// examples/eg-policies/rate-limit (Envoy Gateway's e2e local-ratelimit.yaml, adapted) through <c>causeway run</c>:
/// what a client sees, and the policies' status in <c>causeway status -A</c>.
/// </summary>
public sealed class EnvoyGatewayPolicyExampleTests
{
    [Fact]
    public async Task RateLimitExampleLimitsJohnToThreeAndEveryoneOnAnotherRoute()
    {
        var (echo, log) = await E2e.StartHttpEchoAsync("127.61.40.1", "echo-pod");
        await using var _e = echo;
        await using var run = await CausewayRun.StartAsync("eg-policies/rate-limit", 40, d => E2e.RetargetSlice(d, "backends.yaml", "nginx-local", "127.61.40.1"));
        using var client = E2e.Client(run.GatewayAddress);

        async Task<HttpResponseMessage> Get(string path, string? user = null)
        {
            var req = new HttpRequestMessage(HttpMethod.Get, "http://ratelimit.example:8080" + path);
            if (user is not null) req.Headers.Add("x-user-id", user);
            return await client.SendAsync(req);
        }

        var john = new List<(HttpStatusCode Status, string Remaining)>();
        for (var i = 0; i < 4; i++)
        {
            using var r = await Get("/ratelimit-specific-user", "john");
            Assert.Equal("3", r.Headers.GetValues("x-ratelimit-limit").Single());
            john.Add((r.StatusCode, r.Headers.GetValues("x-ratelimit-remaining").Single()));
        }
        Assert.Equal([(HttpStatusCode.OK, "2"), (HttpStatusCode.OK, "1"), (HttpStatusCode.OK, "0"), (HttpStatusCode.TooManyRequests, "0")], john);
        using (var other = await Get("/ratelimit-specific-user", "alice"))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
            Assert.Equal("10", other.Headers.GetValues("x-ratelimit-limit").Single());
        }
        var all = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var r = await Get("/ratelimit-all-traffic", i % 2 == 0 ? "john" : null);
            all.Add(r.StatusCode);
        }
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], all);
        for (var i = 0; i < 5; i++)
        {
            using var r = await Get("/no-ratelimit", "john");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.False(r.Headers.Contains("x-ratelimit-limit"));
        }

        var (exit, output, _) = await run.StatusCommandAsync("-A");
        Assert.Equal(0, exit);
        Assert.Matches(@"(?m)^test\s+ratelimit-specific-user\s+BackendTrafficPolicy\s+Gateway test/test-gw\s+True\s", output);
        Assert.Matches(@"(?m)^test\s+ratelimit-all-traffic\s+BackendTrafficPolicy\s+Gateway test/test-gw\s+True\s", output);
        Assert.Equal(0, await run.StopAsync());
    }
}
