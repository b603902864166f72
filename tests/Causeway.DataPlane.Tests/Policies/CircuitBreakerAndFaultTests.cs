using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Policies.PolicyIr;

namespace Causeway.DataPlane.Tests.Policies;

/// <summary>BackendTrafficPolicy circuitBreaker and faultInjection through real sockets, on the event loop.</summary>
public sealed class CircuitBreakerAndFaultTests
{
    [Fact]
    public async Task A_zero_allowance_answers_503_overloaded_as_envoy()
    {
        // EG's e2e circuitbreaker.yaml: maxConnections, maxParallelRequests and maxPendingRequests all 0.
        await using var echo = await EchoBackend.StartAsync("e");
        var policy = new BackendTrafficPolicyIr { Policy = "ns/cb", CircuitBreaker = new CircuitBreakerIr { MaxConnections = 0, MaxPendingRequests = 0, MaxParallelRequests = 0 } };
        await using var g = await TestGateway.StartAsync(Gateway(echo, policy));
        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync("GET /limited HTTP/1.1\r\nHost: h\r\n\r\n");
        var r = await c.ReadResponseAsync();
        Assert.Equal(503, r.Status);
        Assert.Equal("true", r.Header("x-envoy-overloaded"));
        Assert.Equal(0, echo.RequestCount);
        if (Native.IsSupported) Assert.Equal(0, g.Plane.FastPath!.LoopHandOffs);
    }

    [Fact]
    public async Task Parallel_requests_beyond_the_limit_are_refused_and_slots_come_back()
    {
        await using var slow = await EchoBackend.StartAsync("slow", fixedDelay: TimeSpan.FromMilliseconds(800));
        var policy = new BackendTrafficPolicyIr { Policy = "ns/cb", CircuitBreaker = new CircuitBreakerIr { MaxParallelRequests = 2 } };
        await using var g = await TestGateway.StartAsync(Gateway(slow, policy));
        var first = Enumerable.Range(0, 2).Select(async _ =>
        {
            await using var c = await RawClient.ConnectAsync(g.Port);
            await c.SendAsync("GET /limited HTTP/1.1\r\nHost: h\r\n\r\n");
            return (await c.ReadResponseAsync()).Status;
        }).ToList();
        await Task.Delay(300); // both are at the backend now
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            await c.SendAsync("GET /limited HTTP/1.1\r\nHost: h\r\n\r\n");
            var over = await c.ReadResponseAsync();
            Assert.Equal(503, over.Status);
            Assert.Equal("true", over.Header("x-envoy-overloaded"));
        }
        var firstStatuses = await Task.WhenAll(first);
        Assert.Equal(new[] { 200, 200 }, firstStatuses);
        // Both slots were given back by the completion hook.
        var after = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ => (await g.GetAsync("h", "/limited")).StatusCode));
        Assert.Equal(new[] { HttpStatusCode.OK, HttpStatusCode.OK }, after);
    }

    [Theory]
    [InlineData(100.0, 20, 0)]
    [InlineData(0.0, 0, 20)]
    public async Task Fault_abort_answers_its_share_of_requests(double percentage, int aborted, int passed)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var policy = new BackendTrafficPolicyIr { Policy = "ns/fault", FaultAbort = new FaultAbortIr { HttpStatus = 418, Percentage = percentage } };
        await using var g = await TestGateway.StartAsync(Gateway(echo, policy));
        await using var c = await RawClient.ConnectAsync(g.Port);
        var counts = new Dictionary<int, int>();
        for (var i = 0; i < 20; i++)
        {
            await c.SendAsync("GET /limited HTTP/1.1\r\nHost: h\r\n\r\n");
            var r = await c.ReadResponseAsync();
            counts[r.Status] = counts.GetValueOrDefault(r.Status) + 1;
            if (r.Status == 418) Assert.Equal("fault filter abort", r.BodyText);
        }
        Assert.Equal(aborted, counts.GetValueOrDefault(418));
        Assert.Equal(passed, counts.GetValueOrDefault(200));
        Assert.Equal(passed, echo.RequestCount);
        if (Native.IsSupported)
        {
            Assert.Equal(20, g.Plane.FastPath!.LoopRequests);
            Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
        }
    }

    [Fact]
    public async Task Fault_delay_keeps_the_route_on_kestrel_and_waits()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var policy = new BackendTrafficPolicyIr { Policy = "ns/fault", FaultDelay = new FaultDelayIr { Delay = TimeSpan.FromMilliseconds(400) } };
        await using var g = await TestGateway.StartAsync(Gateway(echo, policy));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var r = await g.GetAsync("h", "/limited");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.True(watch.ElapsedMilliseconds >= 380, $"answered after {watch.ElapsedMilliseconds} ms");
        if (Native.IsSupported) Assert.Equal(1, g.Plane.FastPath!.LoopHandOffs);
    }
}
