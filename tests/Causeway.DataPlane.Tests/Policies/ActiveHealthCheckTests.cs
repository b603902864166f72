using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies;

/// <summary>
/// BackendTrafficPolicy <c>healthCheck.active</c> through real sockets: endpoints that fail their probes (HTTP status,
/// TCP refused, gRPC NOT_SERVING) stop taking the policy's traffic and come back when they pass again; panic mode
/// sends to every endpoint when too few are healthy. /lb carries the policy, /free uses the backend's own round robin.
/// </summary>
public sealed class ActiveHealthCheckTests
{
    private static GatewayIr Gateway(int[] ports, BackendTrafficPolicyIr policy, BackendProtocol protocol = BackendProtocol.Http1) =>
        Support.Ir.Gateway("ns/gw", [HttpPort(Host("*",
            Prefix("/lb", To("ns/e:80", "httproute/ns/lb/rule/0") with { BackendTraffic = policy }),
            Prefix("/free", To("ns/e:80", "httproute/ns/free/rule/0"))))],
            Backend("ns/e:80", ports) with { Protocol = protocol });

    private static BackendTrafficPolicyIr Policy(ActiveHealthIr active, int panic = 50) =>
        new() { Policy = "ns/hc", ActiveHealth = active, PanicThreshold = panic };

    private static ActiveHealthIr Http(int unhealthy = 1) => new()
    {
        Kind = ActiveHealthKind.Http,
        Path = "/healthz",
        Interval = TimeSpan.FromMilliseconds(100),
        Timeout = TimeSpan.FromSeconds(1),
        UnhealthyThreshold = unhealthy,
        HealthyThreshold = 1,
    };

    private static async Task<EchoBackend[]> Echoes(int n)
    {
        var list = new EchoBackend[n];
        for (var i = 0; i < n; i++) list[i] = await EchoBackend.StartAsync("e" + i);
        return list;
    }

    private static async Task<Dictionary<string, int>> Spread(RawClient c, string path, int requests)
    {
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < requests; i++)
        {
            await c.SendAsync($"GET {path} HTTP/1.1\r\nHost: h\r\n\r\n");
            var r = await c.ReadResponseAsync();
            var key = r.Header("x-backend") + ":" + r.Status;
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }

    /// <summary>Sends rounds of requests until <paramref name="done"/> holds for one round (at most 10 s).</summary>
    private static async Task<Dictionary<string, int>> Until(RawClient c, string path, int requests, Func<Dictionary<string, int>, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var counts = await Spread(c, path, requests);
            if (done(counts)) return counts;
            if (DateTime.UtcNow > deadline) return counts;
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task An_endpoint_failing_its_http_check_takes_no_traffic_until_it_passes_again()
    {
        var echoes = await Echoes(3);
        try
        {
            await using var g = await TestGateway.StartAsync(Gateway([.. echoes.Select(e => e.Port)], Policy(Http())));
            await using var c = await RawClient.ConnectAsync(g.Port);
            var before = await Spread(c, "/lb", 30);
            Assert.Equal(3, before.Count); // all healthy: everyone serves

            echoes[1].ForcedStatus = 503;
            var during = await Until(c, "/lb", 30, counts => !counts.Keys.Any(k => k.StartsWith("e1", StringComparison.Ordinal)));
            Assert.Equal(new[] { "e0:200", "e2:200" }, during.Keys.Order(StringComparer.Ordinal).ToArray());
            // The probes reached the unhealthy endpoint; a route without the policy still sends to it.
            Assert.Contains(echoes[1].Received, r => r.Path == "/healthz" && r.Headers.GetValueOrDefault("user-agent") == "causeway-health-check");
            var free = await Spread(c, "/free", 30);
            Assert.Contains("e1:503", free.Keys);

            echoes[1].ForcedStatus = 0;
            var after = await Until(c, "/lb", 30, counts => counts.ContainsKey("e1:200"));
            Assert.True(after.ContainsKey("e1:200"), "the endpoint did not come back: " + string.Join(",", after));
            AssertOnTheLoop(g);
        }
        finally
        {
            foreach (var e in echoes) await e.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_endpoint_back_from_failing_its_checks_warms_up_over_the_slow_start_window()
    {
        var echoes = await Echoes(2);
        try
        {
            var policy = Policy(Http(), panic: 0) with
            {
                LoadBalancer = new LoadBalancerIr { Kind = LoadBalancerKind.RoundRobin, SlowStartWindow = TimeSpan.FromSeconds(4) },
            };
            await using var g = await TestGateway.StartAsync(Gateway([.. echoes.Select(e => e.Port)], policy));
            await using var c = await RawClient.ConnectAsync(g.Port);
            // Both there from the start: no warm-up, round robin's halves.
            Assert.InRange((await Spread(c, "/lb", 60)).GetValueOrDefault("e1:200"), 25, 35);

            echoes[1].ForcedStatus = 503;
            await Until(c, "/lb", 20, counts => !counts.Keys.Any(k => k.StartsWith("e1", StringComparison.Ordinal)));
            echoes[1].ForcedStatus = 0;
            await Until(c, "/lb", 10, counts => counts.ContainsKey("e1:200"));
            // Just back: e1 keeps a pick with about 10-25% probability, so well under half of the requests.
            var early = (await Spread(c, "/lb", 100)).GetValueOrDefault("e1:200");
            Assert.InRange(early, 1, 35);
            await Task.Delay(4200);
            Assert.InRange((await Spread(c, "/lb", 100)).GetValueOrDefault("e1:200"), 40, 60); // warmed up
        }
        finally
        {
            foreach (var e in echoes) await e.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_stopped_endpoint_fails_its_tcp_check_and_clients_never_see_its_failures()
    {
        var echoes = await Echoes(2);
        var policy = Policy(new ActiveHealthIr
        {
            Kind = ActiveHealthKind.Tcp,
            Interval = TimeSpan.FromMilliseconds(100),
            Timeout = TimeSpan.FromMilliseconds(500),
            UnhealthyThreshold = 2,
            HealthyThreshold = 1,
        });
        try
        {
            await using var g = await TestGateway.StartAsync(Gateway([echoes[0].Port, echoes[1].Port], policy));
            await echoes[1].DisposeAsync(); // refuses connections from now on
            await using var c = await RawClient.ConnectAsync(g.Port);
            await Until(c, "/lb", 20, counts => counts.Keys.All(k => k == "e0:200"));
            var counts = await Spread(c, "/lb", 40);
            Assert.Equal(new[] { "e0:200" }, counts.Keys.ToArray());
            Assert.Equal(40, counts["e0:200"]);
        }
        finally
        {
            foreach (var e in echoes) await e.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_endpoint_that_never_answers_its_tcp_connect_times_out_and_takes_no_traffic()
    {
        // A listener whose accept queue is full drops further SYNs: a connect to it neither succeeds nor fails. Only the
        // probe's deadline can mark it unhealthy; a probe without one would stay in flight and the endpoint healthy.
        var echo = await EchoBackend.StartAsync("e0");
        using var hole = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        hole.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        hole.Listen(0);
        var holePort = ((System.Net.IPEndPoint)hole.LocalEndPoint!).Port;
        var fillers = new List<System.Net.Sockets.Socket>();
        for (var i = 0; i < 3; i++)
        {
            var f = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            _ = f.ConnectAsync(System.Net.IPAddress.Loopback, holePort).ContinueWith(_ => { }, TaskScheduler.Default);
            fillers.Add(f);
        }
        var policy = Policy(new ActiveHealthIr
        {
            Kind = ActiveHealthKind.Tcp,
            Interval = TimeSpan.FromMilliseconds(100),
            Timeout = TimeSpan.FromMilliseconds(200),
            UnhealthyThreshold = 2,
            HealthyThreshold = 1,
        }, panic: 0);
        try
        {
            await using var g = await TestGateway.StartAsync(Gateway([echo.Port, holePort], policy));
            // Two timed-out probes take ~0.7 s; a loaded machine may take longer: wait for the checker's own count.
            var checker = g.Plane.State.Values<Causeway.DataPlane.Upstream.Health.ActiveHealthChecker>().Single();
            for (var i = 0; i < 200 && checker.HealthyCount > 1; i++) await Task.Delay(50);
            Assert.Equal(1, checker.HealthyCount);
            await using var c = await RawClient.ConnectAsync(g.Port);
            var counts = await Spread(c, "/lb", 20);
            Assert.Equal(new[] { "e0:200" }, counts.Keys.ToArray());
        }
        finally
        {
            foreach (var f in fillers) f.Dispose();
            await echo.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(50, 3)] // one healthy of three is below 50%: panic, every endpoint takes traffic
    [InlineData(0, 1)] // panic mode disabled: only the healthy endpoint
    public async Task Below_the_panic_threshold_every_endpoint_takes_traffic(int panic, int serving)
    {
        var echoes = await Echoes(3);
        try
        {
            echoes[1].ForcedStatus = 503;
            echoes[2].ForcedStatus = 503;
            await using var g = await TestGateway.StartAsync(Gateway([.. echoes.Select(e => e.Port)], Policy(Http(), panic)));
            await using var c = await RawClient.ConnectAsync(g.Port);
            // Wait for both probes to have failed (the checker's own counters), then look at the spread.
            var checker = g.Plane.State.Values<Causeway.DataPlane.Upstream.Health.ActiveHealthChecker>().Single();
            for (var i = 0; i < 100 && checker.HealthyCount > 1; i++) await Task.Delay(50);
            Assert.Equal(1, checker.HealthyCount);
            var counts = await Spread(c, "/lb", 60);
            Assert.Equal(serving, counts.Keys.Select(k => k.Split(':')[0]).Distinct().Count());
        }
        finally
        {
            foreach (var e in echoes) await e.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_grpc_endpoint_reporting_not_serving_is_taken_out_and_put_back()
    {
        await using var a = await GrpcHealthBackend.StartAsync("g0");
        await using var b = await GrpcHealthBackend.StartAsync("g1");
        var policy = Policy(new ActiveHealthIr
        {
            Kind = ActiveHealthKind.Grpc,
            Interval = TimeSpan.FromMilliseconds(100),
            Timeout = TimeSpan.FromSeconds(1),
            UnhealthyThreshold = 1,
            HealthyThreshold = 1,
        });
        await using var g = await TestGateway.StartAsync(Gateway([a.Port, b.Port], policy, BackendProtocol.H2c));
        using var client = new HttpClient();
        async Task<HashSet<string>> Names(int n)
        {
            var names = new HashSet<string>();
            for (var i = 0; i < n; i++) names.Add(await client.GetStringAsync($"http://127.0.0.1:{g.Port}/lb"));
            return names;
        }
        Assert.Equal(2, (await Names(20)).Count);
        b.Health.SetStatus("", HealthCheckResponse.Types.ServingStatus.NotServing);
        HashSet<string> names = [];
        for (var i = 0; i < 50 && (names = await Names(10)).Count != 1; i++) await Task.Delay(100);
        Assert.Equal(new[] { "g0" }, names.ToArray());
        b.Health.SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
        for (var i = 0; i < 50 && (names = await Names(10)).Count != 2; i++) await Task.Delay(100);
        Assert.Equal(2, names.Count);
    }

    private static void AssertOnTheLoop(TestGateway g)
    {
        if (!Native.IsSupported) return;
        Assert.Equal(0, g.Plane.FastPath!.LoopHandOffs);
    }

    /// <summary>An h2c Kestrel backend serving the standard gRPC health service and its own name on every other path.</summary>
    internal sealed class GrpcHealthBackend : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private GrpcHealthBackend(WebApplication app, HealthServiceImpl health)
        {
            _app = app;
            Health = health;
        }

        public HealthServiceImpl Health { get; }

        public int Port { get; private set; }

        public static async Task<GrpcHealthBackend> StartAsync(string name)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, lo => lo.Protocols = HttpProtocols.Http2));
            var health = new HealthServiceImpl();
            health.SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
            builder.Services.AddGrpc();
            builder.Services.AddSingleton(health);
            var app = builder.Build();
            app.MapGrpcService<HealthServiceImpl>();
            app.MapFallback(() => Results.Text(name));
            await app.StartAsync();
            var backend = new GrpcHealthBackend(app, health);
            backend.Port = new Uri(app.Urls.First()).Port;
            return backend;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
