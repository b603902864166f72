using System.Diagnostics;
using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Http;

/// <summary>
/// Route regexes in the data plane: matched in linear time (a request built to backtrack gets its answer and does not
/// stall the loop), and a port whose routes do not compile keeps serving its last good plan.
/// </summary>
public sealed class RouteRegexIsolationTests
{
    private static GatewayIr Good(int backendPort, params HttpMatchIr[] extra) =>
        Gateway("ns/gw", [HttpPort(Host("*", [.. extra, Prefix("/good", To("ns/b:80", "good"))]))], Backend("ns/b:80", backendPort));

    [Fact]
    public async Task A_port_whose_new_routes_do_not_compile_keeps_serving_its_last_good_plan_and_reports_it()
    {
        await using var b = new RawBackend(head => (RawBackend.Ok("hi " + head.Split(' ')[1]), false));
        await using var g = await TestGateway.StartAsync(Good(b.Port));
        using (var ok = await g.GetAsync("h", "/good"))
            Assert.Equal("hi /good", await ok.Content.ReadAsStringAsync());

        // An IR the translator would never emit: a path regex that does not parse.
        var report = await g.ApplyAsync(Good(b.Port, Regex("/bad/(", To("ns/b:80", "bad")), Prefix("/new", To("ns/b:80", "new"))));
        var failure = Assert.Single(report.ListenerFailures);
        Assert.Equal("ns/gw/http", failure.Key);
        Assert.Contains("invalid configuration", failure.Value, StringComparison.Ordinal);
        Assert.Contains("previous configuration keeps serving", failure.Value, StringComparison.Ordinal);
        Assert.Equal(g.Port, report.BoundPorts["ns/gw:0"]);

        // Same socket, same plan: /good is served, /new (from the rejected IR) is not.
        using (var ok = await g.GetAsync("h", "/good"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("hi /good", await ok.Content.ReadAsStringAsync());
        }
        using (var missing = await g.GetAsync("h", "/new"))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // A later good IR is applied as usual.
        report = await g.ApplyAsync(Good(b.Port, Prefix("/new", To("ns/b:80", "new"))));
        Assert.Empty(report.ListenerFailures);
        using (var now = await g.GetAsync("h", "/new"))
            Assert.Equal("hi /new", await now.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_port_that_never_compiled_is_reported_and_the_other_ports_serve()
    {
        await using var b = new RawBackend(head => (RawBackend.Ok("ok"), false));
        await using var g = await TestGateway.StartAsync(Good(b.Port));
        var bad = Port(PortProtocol.Http, 0, Listener("ns/other/http", null, Host("*", Regex("(?<=x)y", To("ns/b:80")))));
        var report = await g.ApplyAsync(Good(b.Port), Gateway("ns/other", [bad], Backend("ns/b:80", b.Port)));
        var failure = Assert.Single(report.ListenerFailures);
        Assert.Equal("ns/other/http", failure.Key);
        Assert.DoesNotContain("keeps serving", failure.Value, StringComparison.Ordinal);
        using var ok = await g.GetAsync("h", "/good");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task A_path_built_to_backtrack_is_answered_promptly_on_the_event_loop_and_its_neighbour_serves()
    {
        Assert.True(Native.IsSupported, "the event loop runs on Linux x86-64 and arm64; CI runs there");
        await using var b = new RawBackend(head => (RawBackend.Ok("hi " + head.Split(' ')[1]), false));
        await using var g = await TestGateway.StartAsync(Good(b.Port, Regex("/r/(a+)+$", To("ns/b:80", "regex"))));
        var evil = "/r/" + new string('a', 5000) + "!";

        async Task<(int Status, TimeSpan Took)> Get(string path)
        {
            await using var c = await RawClient.ConnectAsync(g.Port);
            var sw = Stopwatch.StartNew();
            await c.SendAsync($"GET {path} HTTP/1.1\r\nHost: h\r\n\r\n");
            var r = await c.ReadResponseAsync();
            return (r.Status, sw.Elapsed);
        }

        var attacks = Enumerable.Range(0, 8).Select(_ => Get(evil)).ToArray();
        var neighbour = Get("/good");
        foreach (var (status, took) in await Task.WhenAll(attacks))
        {
            Assert.Equal(404, status);
            Assert.True(took < TimeSpan.FromSeconds(2), $"answered after {took}");
        }
        var (nStatus, nTook) = await neighbour;
        Assert.Equal(200, nStatus);
        Assert.True(nTook < TimeSpan.FromSeconds(2), $"neighbour answered after {nTook}");
        // The regex still matches what it should, and the loops did the routing.
        Assert.Equal(200, (await Get("/r/aaa")).Status);
        Assert.True(g.Plane.FastPath!.LoopRequests >= 1);
    }
}
