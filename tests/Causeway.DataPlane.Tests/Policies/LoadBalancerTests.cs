using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies;

/// <summary>
/// BackendTrafficPolicy <c>loadBalancer</c> and <c>healthCheck.passive</c> through real sockets: three echo backends
/// as the endpoints of one backend, /lb under the policy, /free without (the backend's own round robin).
/// </summary>
public sealed class LoadBalancerTests
{
    private static GatewayIr Gateway(EchoBackend[] echoes, BackendTrafficPolicyIr policy, string rule = "httproute/ns/lb/rule/0") =>
        Support.Ir.Gateway("ns/gw", [HttpPort(Host("*",
            Prefix("/lb", To("ns/e:80", rule) with { BackendTraffic = policy }),
            Prefix("/free", To("ns/e:80", "httproute/ns/free/rule/0"))))],
            Backend("ns/e:80", [.. echoes.Select(e => e.Port)]));

    private static async Task<EchoBackend[]> Echoes(int n)
    {
        var list = new EchoBackend[n];
        for (var i = 0; i < n; i++) list[i] = await EchoBackend.StartAsync("e" + i);
        return list;
    }

    private static async Task DisposeAll(EchoBackend[] echoes)
    {
        foreach (var e in echoes) await e.DisposeAsync();
    }

    private static async Task<RawResponse> Send(RawClient c, string path, string extra = "")
    {
        await c.SendAsync($"GET {path} HTTP/1.1\r\nHost: h\r\n{extra}\r\n");
        return await c.ReadResponseAsync();
    }

    private static BackendTrafficPolicyIr Policy(LoadBalancerIr? lb, PassiveHealthIr? passive = null) =>
        new() { Policy = "ns/lb", LoadBalancer = lb, PassiveHealth = passive };

    private static void AssertServedByTheLoop(TestGateway g, long atLeast)
    {
        if (!Native.IsSupported) return;
        Assert.True(g.Plane.FastPath!.LoopRequests >= atLeast, $"loop requests {g.Plane.FastPath.LoopRequests} < {atLeast}");
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_endpoint_added_later_warms_up_over_the_slow_start_window(bool slowStart)
    {
        var echoes = await Echoes(2);
        try
        {
            var lb = new LoadBalancerIr { Kind = LoadBalancerKind.RoundRobin, SlowStartWindow = slowStart ? TimeSpan.FromSeconds(3) : null };
            await using var g = await TestGateway.StartAsync(Gateway([echoes[0]], Policy(lb)));
            await using var c = await RawClient.ConnectAsync(g.Port);
            Assert.Equal("e0", (await Send(c, "/lb")).Header("x-backend"));

            await g.ApplyAsync(Gateway(echoes, Policy(lb))); // e1 joins the backend now
            async Task<int> NewShare(int requests)
            {
                var n = 0;
                for (var i = 0; i < requests; i++)
                    if ((await Send(c, "/lb")).Header("x-backend") == "e1") n++;
                return n;
            }
            var early = await NewShare(200);
            if (slowStart)
            {
                // In its first moments e1 keeps a pick with ~10% probability: about 10% of the requests, not half.
                Assert.InRange(early, 1, 60);
                await Task.Delay(3200);
                Assert.InRange(await NewShare(200), 80, 120); // warmed up: round robin's half
            }
            else Assert.InRange(early, 90, 110);
            AssertServedByTheLoop(g, 1);
        }
        finally
        {
            await DisposeAll(echoes);
        }
    }

    [Fact]
    public async Task Consistent_hash_by_header_keeps_a_client_on_one_endpoint_and_spreads_clients()
    {
        var echoes = await Echoes(3);
        try
        {
            var lb = new LoadBalancerIr { Kind = LoadBalancerKind.ConsistentHash, HashOn = HashSourceKind.Header, HashName = "x-user" };
            await using var g = await TestGateway.StartAsync(Gateway(echoes, Policy(lb)));
            await using var c = await RawClient.ConnectAsync(g.Port);
            var alice = new HashSet<string>();
            var free = new Dictionary<string, int>();
            for (var i = 0; i < 50; i++)
            {
                var r = await Send(c, "/lb", "x-user: alice\r\n");
                Assert.Equal(200, r.Status);
                alice.Add(r.Header("x-backend")!);
                // Interleaved requests of another route to the same backend keep its own round robin.
                var f = await Send(c, "/free", "x-user: alice\r\n");
                free[f.Header("x-backend")!] = free.GetValueOrDefault(f.Header("x-backend")!) + 1;
            }
            Assert.Single(alice);
            Assert.Equal(3, free.Count);
            Assert.All(free.Values, n => Assert.InRange(n, 16, 17));

            var clients = new HashSet<string>();
            for (var u = 0; u < 30; u++)
            {
                var first = (await Send(c, "/lb", $"x-user: user-{u}\r\n")).Header("x-backend")!;
                Assert.Equal(first, (await Send(c, "/lb", $"x-user: user-{u}\r\n")).Header("x-backend"));
                clients.Add(first);
            }
            Assert.Equal(3, clients.Count);
            AssertServedByTheLoop(g, 50 * 2 + 60);
        }
        finally
        {
            await DisposeAll(echoes);
        }
    }

    [Fact]
    public async Task Consistent_hash_by_source_ip_keeps_the_client_on_one_endpoint()
    {
        var echoes = await Echoes(3);
        try
        {
            var lb = new LoadBalancerIr { Kind = LoadBalancerKind.ConsistentHash, HashOn = HashSourceKind.SourceIp };
            await using var g = await TestGateway.StartAsync(Gateway(echoes, Policy(lb)));
            var seen = new HashSet<string>();
            for (var i = 0; i < 5; i++)
            {
                await using var c = await RawClient.ConnectAsync(g.Port); // new connections, same address
                for (var k = 0; k < 5; k++) seen.Add((await Send(c, "/lb")).Header("x-backend")!);
            }
            Assert.Single(seen);
            AssertServedByTheLoop(g, 25);
        }
        finally
        {
            await DisposeAll(echoes);
        }
    }

    [Fact]
    public async Task Consistent_hash_by_cookie_sets_the_cookie_and_keeps_the_client_on_its_endpoint()
    {
        var echoes = await Echoes(3);
        try
        {
            var lb = new LoadBalancerIr { Kind = LoadBalancerKind.ConsistentHash, HashOn = HashSourceKind.Cookie, HashName = "lb", CookieTtl = TimeSpan.FromSeconds(60) };
            await using var g = await TestGateway.StartAsync(Gateway(echoes, Policy(lb)));
            var clients = new HashSet<string>();
            for (var u = 0; u < 12; u++)
            {
                await using var c = await RawClient.ConnectAsync(g.Port);
                var first = await Send(c, "/lb");
                Assert.Equal(200, first.Status);
                var setCookie = first.Headers.Where(h => h.Key.Equals("set-cookie", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).Single();
                Assert.StartsWith("lb=", setCookie);
                Assert.Contains("Max-Age=60", setCookie);
                var cookie = setCookie.Split(';')[0];
                for (var i = 0; i < 10; i++)
                {
                    var r = await Send(c, "/lb", $"Cookie: other=1; {cookie}\r\n");
                    Assert.Equal(first.Header("x-backend"), r.Header("x-backend"));
                    Assert.DoesNotContain(r.Headers, h => h.Key.Equals("set-cookie", StringComparison.OrdinalIgnoreCase));
                }
                clients.Add(first.Header("x-backend")!);
            }
            Assert.True(clients.Count >= 2, "12 random cookies all hashed to one endpoint");
        }
        finally
        {
            await DisposeAll(echoes);
        }
    }

    [Theory]
    [InlineData(LoadBalancerKind.Random)]
    [InlineData(LoadBalancerKind.LeastRequest)]
    public async Task Random_and_least_request_spread_over_every_endpoint(LoadBalancerKind kind)
    {
        var echoes = await Echoes(3);
        try
        {
            await using var g = await TestGateway.StartAsync(Gateway(echoes, Policy(new LoadBalancerIr { Kind = kind })));
            await using var c = await RawClient.ConnectAsync(g.Port);
            var counts = new Dictionary<string, int>();
            for (var i = 0; i < 90; i++)
            {
                var r = await Send(c, "/lb");
                Assert.Equal(200, r.Status);
                counts[r.Header("x-backend")!] = counts.GetValueOrDefault(r.Header("x-backend")!) + 1;
            }
            Assert.Equal(3, counts.Count);
            Assert.All(counts.Values, n => Assert.InRange(n, 10, 60));
            AssertServedByTheLoop(g, 90);
        }
        finally
        {
            await DisposeAll(echoes);
        }
    }

    [Fact]
    public async Task Least_request_avoids_the_endpoint_with_requests_in_flight()
    {
        var echoes = await Echoes(2);
        try
        {
            await using var g = await TestGateway.StartAsync(Gateway(echoes, Policy(new LoadBalancerIr { Kind = LoadBalancerKind.LeastRequest })));
            // Hold 4 slow requests, one after the other: each goes where fewer are in flight.
            var slow = new List<Task<string>>();
            for (var k = 1; k <= 4; k++)
            {
                slow.Add(Task.Run(async () =>
                {
                    await using var c = await RawClient.ConnectAsync(g.Port);
                    var r = await Send(c, "/lb", "x-echo-delay-ms: 2500\r\n");
                    return r.Header("x-backend")!;
                }));
                for (var wait = 0; wait < 100 && echoes.Sum(e => e.RequestCount) < k; wait++) await Task.Delay(20);
            }
            var held = echoes.Select(e => e.RequestCount).ToArray();
            Assert.Equal(4, held.Sum());
            Assert.All(held, n => Assert.Equal(2, n));
            // One more held request makes one endpoint busier: fast requests now all go to the other one.
            slow.Add(Task.Run(async () =>
            {
                await using var c = await RawClient.ConnectAsync(g.Port);
                return (await Send(c, "/lb", "x-echo-delay-ms: 2500\r\n")).Header("x-backend")!;
            }));
            for (var wait = 0; wait < 100 && echoes.Sum(e => e.RequestCount) < 5; wait++) await Task.Delay(20);
            var busy = echoes.Single(e => e.RequestCount == 3);
            var idle = echoes.Single(e => e.RequestCount == 2);
            await using (var c = await RawClient.ConnectAsync(g.Port))
                for (var i = 0; i < 6; i++) Assert.Equal(idle.Name, (await Send(c, "/lb")).Header("x-backend"));
            Assert.Equal(3, busy.RequestCount);
            await Task.WhenAll(slow);
        }
        finally
        {
            await DisposeAll(echoes);
        }
    }

    private static PassiveHealthIr Passive(int consecutive5xx, TimeSpan baseEjection, int maxPercent) => new()
    {
        Consecutive5xxErrors = consecutive5xx,
        Interval = TimeSpan.FromSeconds(3),
        BaseEjectionTime = baseEjection,
        MaxEjectionPercent = maxPercent,
    };

    [Fact]
    public async Task An_endpoint_answering_500_is_ejected_after_consecutive_errors_and_comes_back()
    {
        var echoes = await Echoes(3);
        try
        {
            echoes[1].ForcedStatus = 500;
            var policy = Policy(null, Passive(3, TimeSpan.FromSeconds(1.5), 50));
            await using var g = await TestGateway.StartAsync(Gateway(echoes, policy));
            await using var c = await RawClient.ConnectAsync(g.Port);
            var errors = 0;
            for (var i = 0; i < 9; i++) if ((await Send(c, "/lb")).Status == 500) errors++;
            Assert.Equal(3, errors); // round robin: every third request, three in a row for that endpoint
            Assert.Equal(3, echoes[1].RequestCount);
            for (var i = 0; i < 30; i++) Assert.Equal(200, (await Send(c, "/lb")).Status);
            Assert.Equal(3, echoes[1].RequestCount); // ejected: skipped
            // The route without the policy still reaches it.
            var freeStatuses = new List<int>();
            for (var i = 0; i < 3; i++) freeStatuses.Add((await Send(c, "/free")).Status);
            Assert.Contains(500, freeStatuses);
            var before = echoes[1].RequestCount;

            await Task.Delay(1700);
            for (var i = 0; i < 6; i++) await Send(c, "/lb");
            Assert.True(echoes[1].RequestCount > before, "the endpoint did not come back after its ejection time");
            AssertServedByTheLoop(g, 9 + 30 + 3 + 6);
        }
        finally
        {
            await DisposeAll(echoes);
        }
    }

    [Fact]
    public async Task Max_ejection_percent_keeps_endpoints_in_service()
    {
        var echoes = await Echoes(3);
        try
        {
            echoes[0].ForcedStatus = 500;
            echoes[1].ForcedStatus = 503;
            var policy = Policy(new LoadBalancerIr { Kind = LoadBalancerKind.RoundRobin }, Passive(2, TimeSpan.FromSeconds(30), 30));
            await using var g = await TestGateway.StartAsync(Gateway(echoes, policy));
            await using var c = await RawClient.ConnectAsync(g.Port);
            for (var i = 0; i < 12; i++) await Send(c, "/lb");
            var counts = echoes.Select(e => e.RequestCount).ToArray();
            var errors = 0;
            for (var i = 0; i < 30; i++) if ((await Send(c, "/lb")).Status >= 500) errors++;
            var grew = echoes.Select((e, i) => e.RequestCount > counts[i]).ToArray();
            // 30% of 3 endpoints: one ejected (0% were), not two (33% were); the other failing one keeps serving.
            Assert.True(grew[2]);
            Assert.Equal(1, grew.Take(2).Count(x => x));
            Assert.InRange(errors, 10, 20);
            AssertServedByTheLoop(g, 42);
        }
        finally
        {
            await DisposeAll(echoes);
        }
    }

    [Fact]
    public async Task An_ejection_survives_a_reload_that_keeps_the_policy_and_ends_with_a_changed_one()
    {
        var echoes = await Echoes(3);
        try
        {
            echoes[0].ForcedStatus = 500;
            var policy = Policy(null, Passive(2, TimeSpan.FromSeconds(30), 50));
            await using var g = await TestGateway.StartAsync(Gateway(echoes, policy));
            await using (var c = await RawClient.ConnectAsync(g.Port))
                for (var i = 0; i < 6; i++) await Send(c, "/lb");
            Assert.Equal(2, echoes[0].RequestCount);

            // The same policy reapplied, then on a renamed (recompiled) rule: the endpoint stays ejected.
            await g.ApplyAsync(Gateway(echoes, policy with { }));
            await using (var c = await RawClient.ConnectAsync(g.Port))
                for (var i = 0; i < 12; i++) Assert.Equal(200, (await Send(c, "/lb")).Status);
            await g.ApplyAsync(Gateway(echoes, policy, "httproute/ns/lb2/rule/0"));
            await using (var c = await RawClient.ConnectAsync(g.Port))
                for (var i = 0; i < 12; i++) Assert.Equal(200, (await Send(c, "/lb")).Status);
            Assert.Equal(2, echoes[0].RequestCount);

            // Other settings: other state, the endpoint is tried again.
            await g.ApplyAsync(Gateway(echoes, Policy(null, Passive(5, TimeSpan.FromSeconds(30), 50))));
            await using (var c = await RawClient.ConnectAsync(g.Port))
                for (var i = 0; i < 6; i++) await Send(c, "/lb");
            Assert.True(echoes[0].RequestCount > 2);
        }
        finally
        {
            await DisposeAll(echoes);
        }
    }

    [Fact]
    public async Task Passive_health_ejects_on_the_kestrel_pipeline_too()
    {
        var echoes = await Echoes(3);
        try
        {
            echoes[2].ForcedStatus = 502;
            // Hashing by a cookie the gateway sets runs on the Kestrel pipeline only; without a cookie each request
            // gets a new one, so requests spread.
            var lb = new LoadBalancerIr { Kind = LoadBalancerKind.ConsistentHash, HashOn = HashSourceKind.Cookie, HashName = "lb" };
            var passive = Passive(3, TimeSpan.FromSeconds(30), 50) with { Consecutive5xxErrors = 0, ConsecutiveGatewayErrors = 3 };
            await using var g = await TestGateway.StartAsync(Gateway(echoes, Policy(lb, passive)));
            for (var i = 0; i < 40 && echoes[2].RequestCount < 3; i++) await g.GetAsync("h", "/lb");
            Assert.Equal(3, echoes[2].RequestCount);
            await Task.Delay(200); // the completion hook of the last exchange may run just after the client has its answer
            for (var i = 0; i < 30; i++)
            {
                using var r = await g.GetAsync("h", "/lb");
                Assert.Equal(System.Net.HttpStatusCode.OK, r.StatusCode);
            }
            Assert.Equal(3, echoes[2].RequestCount);
            if (Native.IsSupported) Assert.True(g.Plane.FastPath!.LoopHandOffs > 0);
        }
        finally
        {
            await DisposeAll(echoes);
        }
    }
}
