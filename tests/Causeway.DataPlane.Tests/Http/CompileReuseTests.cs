using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Http;

/// <summary>An apply compiles only the virtual hosts whose IR or backends changed; the rest keep serving as they were.</summary>
public sealed class CompileReuseTests
{
    private static GatewayIr Gw(BackendIr[] backends, params VirtualHostIr[] hosts) => Gateway("ns/gw", [HttpPort(hosts)], backends);

    [Fact]
    public async Task Adding_a_route_compiles_only_its_host_and_the_others_keep_serving()
    {
        await using var a = await EchoBackend.StartAsync("a");
        await using var b = await EchoBackend.StartAsync("b");
        BackendIr[] backends = [Backend("ns/a:80", a), Backend("ns/b:80", b)];
        // Value-equal IR built afresh for every apply, as the translator does.
        VirtualHostIr One() => Host("one.example", Prefix("/", To("ns/a:80", "r1")), Regex("/re/[0-9]+", To("ns/a:80", "r1re")));
        VirtualHostIr Two() => Host("two.example", Prefix("/", To("ns/b:80", "r2")));
        await using var g = await TestGateway.StartAsync(Gw(backends, One(), Two()));
        var cache = g.Plane.CompileCache;
        Assert.Equal(2, cache.HostsCompiled);

        // Requests run while the new route is applied: none may fail.
        using var stop = new CancellationTokenSource();
        var failures = 0;
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var r = await g.GetAsync("one.example", "/re/42");
                if (r.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref failures);
            }
        });
        await g.ApplyAsync(Gw(backends, One(), Two(), Host("three.example", Prefix("/", To("ns/b:80", "r3")))));
        await Task.Delay(100);
        await stop.CancelAsync();
        await load;
        Assert.Equal(0, failures);

        Assert.Equal(3, cache.HostsCompiled); // only three.example
        Assert.Equal(2, cache.HostsReused);
        Assert.Equal("a", (await g.EchoAsync("one.example", "/re/7")).Name);
        Assert.Equal("b", (await g.EchoAsync("two.example", "/")).Name);
        Assert.Equal("b", (await g.EchoAsync("three.example", "/")).Name);
    }

    [Fact]
    public async Task A_changed_backend_recompiles_the_hosts_that_use_it()
    {
        await using var a = await EchoBackend.StartAsync("a");
        await using var a2 = await EchoBackend.StartAsync("a2");
        await using var b = await EchoBackend.StartAsync("b");
        VirtualHostIr One() => Host("one.example", Prefix("/", To("ns/a:80", "r1")));
        VirtualHostIr Two() => Host("two.example", Prefix("/", To("ns/b:80", "r2")));
        await using var g = await TestGateway.StartAsync(Gw([Backend("ns/a:80", a), Backend("ns/b:80", b)], One(), Two()));
        var cache = g.Plane.CompileCache;

        // Same routes, but backend ns/a:80 moved to another endpoint: one.example must follow it, two.example is reused.
        await g.ApplyAsync(Gw([Backend("ns/a:80", a2), Backend("ns/b:80", b)], One(), Two()));
        Assert.Equal(3, cache.HostsCompiled);
        Assert.Equal(1, cache.HostsReused);
        Assert.Equal("a2", (await g.EchoAsync("one.example", "/")).Name);
        Assert.Equal("b", (await g.EchoAsync("two.example", "/")).Name);

        // A changed route in a reused host is recompiled too.
        await g.ApplyAsync(Gw([Backend("ns/a:80", a2), Backend("ns/b:80", b)], One(), Host("two.example", Prefix("/", To("ns/a:80", "r2")))));
        Assert.Equal("a2", (await g.EchoAsync("two.example", "/")).Name);

        // A removed host is gone, and the cache forgets it.
        await g.ApplyAsync(Gw([Backend("ns/a:80", a2)], One()));
        using var gone = await g.GetAsync("two.example", "/");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }
}
