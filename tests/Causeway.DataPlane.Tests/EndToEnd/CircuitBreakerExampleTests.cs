using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>
/// examples/eg-policies/circuit-breaker (Envoy Gateway's e2e circuitbreaker.yaml retry budget, adapted) through
/// <c>causeway run</c>, on the event loop and on the Kestrel pipeline: a 0% retry budget without minimum makes no retry,
/// <c>maxParallelRetries</c> with room lets the retries through, <c>maxRequestsPerConnection: 1</c> gives every request
/// its own backend connection. A backend of the test's own counts requests and connections per Host.
/// </summary>
public sealed class CircuitBreakerExampleTests
{
    [Fact]
    public Task CircuitBreakerExampleOnTheEventLoop() => RunAsync(177, new DataPlaneOptions());

    [Fact]
    public Task CircuitBreakerExampleOnTheKestrelPipeline() => RunAsync(178, new DataPlaneOptions { Http1FastPath = false, Http1EventLoop = false });

    private static async Task RunAsync(int pool, DataPlaneOptions options)
    {
        var address = $"127.61.{pool}.1";
        var requests = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var connections = new ConcurrentDictionary<string, ConcurrentDictionary<string, bool>>(StringComparer.Ordinal);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse(address), 3000));
        await using var backend = builder.Build();
        backend.Run(context =>
        {
            var host = context.Request.Host.Host;
            requests.AddOrUpdate(host, 1, (_, n) => n + 1);
            connections.GetOrAdd(host, _ => new())[context.Connection.Id] = true;
            context.Response.StatusCode = context.Request.Path == "/status/503" ? 503 : 200;
            return Task.CompletedTask;
        });
        await backend.StartAsync();
        await using var run = await CausewayRun.StartAsync("eg-policies/circuit-breaker", pool, d =>
        {
            E2e.RetargetSlice(d, "backends.yaml", "nginx-local", address);
            E2e.RetargetSlice(d, "backends.yaml", "nginx-fresh-local", address);
        }, options);
        using var client = E2e.Client(run.GatewayAddress);

        async Task<HttpStatusCode> Get(string host, string path)
        {
            using var r = await client.GetAsync($"http://{host}:8080{path}");
            return r.StatusCode;
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Get("budget.cb.example", "/status/503"));
        Assert.Equal(1, requests.GetValueOrDefault("budget.cb.example")); // no retry: the budget allows none
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await Get("retry.cb.example", "/status/503"));
        Assert.Equal(3, requests.GetValueOrDefault("retry.cb.example")); // the first try and two retries
        for (var i = 0; i < 4; i++) Assert.Equal(HttpStatusCode.OK, await Get("fresh.cb.example", "/"));
        Assert.Equal(4, requests.GetValueOrDefault("fresh.cb.example"));
        Assert.Equal(4, connections["fresh.cb.example"].Count); // one connection per request

        var (exit, output, _) = await run.StatusCommandAsync("-A");
        Assert.Equal(0, exit);
        Assert.Matches(@"(?m)^test\s+circuitbreaker-retry-budget\s+BackendTrafficPolicy\s+Gateway test/cb-gw\s+True\s", output);
        Assert.Matches(@"(?m)^test\s+circuitbreaker-one-request-per-connection\s+BackendTrafficPolicy\s+Gateway test/cb-gw\s+True\s", output);
        Assert.Equal(0, await run.StopAsync());
    }
}
