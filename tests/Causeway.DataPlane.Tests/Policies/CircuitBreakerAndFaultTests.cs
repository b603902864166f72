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

    /// <summary>
    /// The delay is a pending decision (the async seam every transport parks on): the event loop, the HTTP/1.1 relay and
    /// the Kestrel pipeline (HTTP/2) all wait without handing off; two requests waiting at once finish together.
    /// </summary>
    [Theory]
    [InlineData("loop")]
    [InlineData("relay")]
    [InlineData("h2")]
    public async Task Fault_delay_parks_the_request_on_every_transport(string transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var policy = new BackendTrafficPolicyIr { Policy = "ns/fault", FaultDelay = new FaultDelayIr { Delay = TimeSpan.FromMilliseconds(400) } };
        var options = transport == "relay" ? TestGateway.Options with { Http1EventLoop = false } : TestGateway.Options;
        await using var g = await TestGateway.StartAsync(options, Gateway(echo, policy));
        using var client = new HttpClient();
        var version = transport == "h2" ? HttpVersion.Version20 : HttpVersion.Version11;
        async Task<(HttpStatusCode, long)> Get(string path)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{g.Port}{path}")
            {
                Version = version,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            request.Headers.Host = "h";
            using var response = await client.SendAsync(request);
            return (response.StatusCode, watch.ElapsedMilliseconds);
        }
        var both = await Task.WhenAll(Get("/limited"), Get("/limited"));
        foreach (var (status, elapsed) in both)
        {
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(elapsed >= 380, $"answered after {elapsed} ms");
        }
        var (freeStatus, freeElapsed) = await Get("/free");
        Assert.Equal(HttpStatusCode.OK, freeStatus);
        Assert.True(freeElapsed < 380, $"a route without the policy waited {freeElapsed} ms");
        Assert.Equal(3, echo.RequestCount);
        if (!Native.IsSupported) return;
        var fast = g.Plane.FastPath!;
        switch (transport)
        {
            case "loop":
                Assert.Equal(3, fast.LoopRequests);
                Assert.Equal(0, fast.LoopHandOffs);
                break;
            case "relay":
                Assert.Equal(3, fast.Requests);
                Assert.Equal(0, fast.HandOffs);
                break;
        }
    }

    [Fact]
    public async Task A_client_that_leaves_while_its_request_is_parked_is_forgotten_and_the_loop_goes_on()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var policy = new BackendTrafficPolicyIr { Policy = "ns/fault", FaultDelay = new FaultDelayIr { Delay = TimeSpan.FromMilliseconds(300) } };
        await using var g = await TestGateway.StartAsync(Gateway(echo, policy));
        await using (var gone = await RawClient.ConnectAsync(g.Port))
        {
            await gone.SendAsync("GET /limited HTTP/1.1\r\nHost: h\r\n\r\n");
            await Task.Delay(50);
        }
        await Task.Delay(500); // the delay ends after the client left
        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync("GET /limited HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        await c.SendAsync("GET /limited HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        Assert.Equal(2, echo.RequestCount);
        if (Native.IsSupported) Assert.Equal(0, g.Plane.FastPath!.LoopHandOffs);
    }
}
