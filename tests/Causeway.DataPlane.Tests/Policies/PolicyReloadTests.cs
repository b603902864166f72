using Causeway.DataPlane.Tests.Support;
using Causeway.Model;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies;

/// <summary>
/// Reloads under load while policies change: clients on keep-alive connections never see a failed request, and the
/// state of policies a reload does not change (active health checks) is the same object afterwards.
/// </summary>
public sealed class PolicyReloadTests
{
    private static BackendTrafficPolicyIr Policy(int generation) => new()
    {
        Policy = "ns/reload",
        // Limits far above what the test sends: a 429 would be a failure here.
        LocalRateLimit = new LocalRateLimitIr { Rules = new EquatableArray<RateLimitRuleIr>([PolicyIr.Limit(0, 1_000_000 + generation % 2, 60)]) },
        CircuitBreaker = new CircuitBreakerIr { MaxConnections = 1024, MaxPendingRequests = 1024, MaxParallelRequests = 1024, MaxParallelRetries = 1024 },
        LoadBalancer = new LoadBalancerIr { Kind = generation % 2 == 0 ? LoadBalancerKind.RoundRobin : LoadBalancerKind.LeastRequest },
        ActiveHealth = new ActiveHealthIr { Kind = ActiveHealthKind.Tcp, Interval = TimeSpan.FromMilliseconds(200), Timeout = TimeSpan.FromSeconds(1) },
    };

    private static GatewayIr Gateway(EchoBackend[] echoes, int generation) =>
        Support.Ir.Gateway("ns/gw", [HttpPort(Host("*",
            Prefix("/policy", To("ns/e:80", "httproute/ns/policy/rule/0") with { BackendTraffic = Policy(generation) }),
            Prefix("/free", To("ns/e:80", "httproute/ns/free/rule/0"))))],
            Backend("ns/e:80", [.. echoes.Select(e => e.Port)]));

    [Fact]
    public async Task Twenty_reloads_that_change_policies_under_load_fail_no_request_and_keep_unchanged_health_state()
    {
        var echoes = new[] { await EchoBackend.StartAsync("e0"), await EchoBackend.StartAsync("e1") };
        try
        {
            await using var g = await TestGateway.StartAsync(Gateway(echoes, 0));
            var checker = g.Plane.State.Values<Causeway.DataPlane.Upstream.Health.ActiveHealthChecker>().Single();
            using var stop = new CancellationTokenSource();
            var failures = new List<string>();
            var counts = new long[4];
            var clients = Enumerable.Range(0, 4).Select(k => Task.Run(async () =>
            {
                await using var c = await RawClient.ConnectAsync(g.Port);
                var path = k % 2 == 0 ? "/policy" : "/free";
                while (!stop.IsCancellationRequested)
                {
                    await c.SendAsync($"GET {path} HTTP/1.1\r\nHost: h\r\n\r\n");
                    var r = await c.ReadResponseAsync();
                    if (r.Status != 200) lock (failures) failures.Add($"{path}: {r.Status} {r.BodyText}");
                    counts[k]++;
                }
            })).ToArray();
            for (var generation = 1; generation <= 20; generation++)
            {
                await Task.Delay(50);
                await g.ApplyAsync(Gateway(echoes, generation));
            }
            await Task.Delay(100);
            await stop.CancelAsync();
            await Task.WhenAll(clients); // a connection broken by a reload would throw here
            Assert.Empty(failures);
            Assert.All(counts, n => Assert.True(n > 20, $"a client made only {n} requests"));
            // The health checks did not change across the reloads (only the limit and balancer did): same checker,
            // probing on; and it still serves both endpoints.
            Assert.Same(checker, g.Plane.State.Values<Causeway.DataPlane.Upstream.Health.ActiveHealthChecker>().Single());
            Assert.False(checker.Stopped);
            Assert.True(checker.Checks > 0);
            Assert.Equal(2, checker.HealthyCount);
        }
        finally
        {
            foreach (var e in echoes) await e.DisposeAsync();
        }
    }
}
