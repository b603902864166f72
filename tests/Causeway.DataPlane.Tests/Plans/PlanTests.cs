using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Plans;

/// <summary>The route plan decides where a rule runs: the intersection of what its steps declare, nothing else.</summary>
public class PlanTests
{
    /// <summary>A step written for this test that the event loop does not implement.</summary>
    private sealed class NotOnTheLoop : PipelineStep
    {
        public override StepStage Stage => StepStage.Authorization;
        public override TransportSet Transports => TransportSet.Http1Relay | TransportSet.Kestrel;
        public override string Describe() => "not-on-the-loop";
    }

    private sealed class NotOnKestrel : PipelineStep
    {
        public override StepStage Stage => StepStage.RateLimit;
        public override TransportSet Transports => TransportSet.EventLoop;
        public override string Describe() => "not-on-kestrel";
    }

    [Fact]
    public void A_step_that_does_not_declare_the_event_loop_keeps_its_rule_off_the_event_loop()
    {
        var plain = new RoutePlan("r", [], [], 0, []);
        Assert.Equal(TransportSet.All, plain.Transports);
        var plan = new RoutePlan("r", [new NotOnTheLoop()], [], 0, []);
        Assert.False(plan.Allows(TransportSet.EventLoop));
        Assert.True(plan.Allows(TransportSet.Http1Relay));
        Assert.True(plan.Allows(TransportSet.Kestrel));
    }

    [Fact]
    public void Every_step_must_be_served_by_the_kestrel_pipeline()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new RoutePlan("httproute/ns/r/rule/0", [new NotOnKestrel()], [], 0, []));
        Assert.Contains("httproute/ns/r/rule/0", ex.Message);
    }

    [Fact]
    public void Steps_run_in_the_one_pipeline_order_whatever_order_they_were_added_in()
    {
        var steps = StepOrder.Sort([new NotOnKestrel(), new Filters.DirectResponseStep(500), new NotOnTheLoop()]);
        Assert.Equal(["not-on-the-loop", "not-on-kestrel", "direct-response 500"], steps.Select(s => s.Describe()));
    }

    [Fact]
    public async Task Routes_with_a_step_the_loop_does_not_run_are_served_by_kestrel_and_the_others_stay_on_the_loop()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var mirror = await EchoBackend.StartAsync("m");
        var mirrored = To("ns/e:80", "mirrored") with
        {
            Filters = new[] { new HttpFilterIr { Mirror = new MirrorIr { BackendId = "ns/m:80" } } },
        };
        // Editing Host is something only the Kestrel pipeline does (the byte transports manage Host themselves).
        var hostEdit = To("ns/e:80", "host-edit") with
        {
            Filters = new[] { new HttpFilterIr { RequestHeaders = new HeaderModifierIr { Set = new[] { new KeyValuePair<string, string>("Host", "edited.example") } } } },
        };
        var gw = Gateway("ns/gw", [HttpPort(Host("*", Prefix("/mirror", mirrored), Prefix("/host", hostEdit), Prefix("/", To("ns/e:80"))))],
            Backend("ns/e:80", echo), Backend("ns/m:80", mirror));
        await using var g = await TestGateway.StartAsync(gw);
        var fast = g.Plane.FastPath!;

        // One connection per request: a handed-off connection stays with Kestrel.
        async Task<string> Get(string path)
        {
            await using var c = await RawClient.ConnectAsync(g.Port);
            await c.SendAsync($"GET {path} HTTP/1.1\r\nHost: h\r\n\r\n");
            var r = await c.ReadResponseAsync();
            Assert.Equal(200, r.Status);
            return r.BodyText;
        }

        Assert.Contains("\"/plain\"", await Get("/plain"));
        Assert.Equal(1, fast.LoopRequests);
        Assert.Equal(0, fast.LoopHandOffs);

        Assert.Contains("\"/mirror/x\"", await Get("/mirror/x"));
        Assert.Equal(1, fast.LoopRequests);
        Assert.Equal(1, fast.LoopHandOffs);
        Assert.Contains("\"edited.example\"", await Get("/host"));
        Assert.Equal(1, fast.LoopRequests);
        Assert.Equal(2, fast.LoopHandOffs);
        // The relay (where the loop hands off) does not run them either: they reached the Kestrel pipeline.
        Assert.Equal(0, fast.Requests - fast.LoopRequests);
        Assert.Equal(2, fast.HandOffs);
    }
}
