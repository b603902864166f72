using System.Text.Json.Nodes;
using Causeway.Kubernetes.Api;
using Causeway.Translation;

namespace Causeway.Kubernetes.Tests;

public sealed class ControllerResilienceTests
{
    private static string? GatewayAccepted(Harness h, string name) => Harness.ConditionStatus(h.Server.Get(ResourceType.Gateways, "test", name), "Accepted");

    private static JsonObject GatewayJson(string name, int port)
    {
        var o = JsonNode.Parse("""
            {"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway","metadata":{"namespace":"test"},
             "spec":{"gatewayClassName":"eg","listeners":[{"name":"http","protocol":"HTTP"}]}}
            """)!.AsObject();
        o["metadata"]!["name"] = name;
        o["spec"]!["listeners"]![0]!["port"] = port;
        return o;
    }

    [Fact]
    public async Task TwoControllers_OnlyLeaderWrites_StoppingItHandsOver()
    {
        await using var h = await Harness.StartAsync();
        h.ApplyTestdata("seed-basic-httproute.in.yaml");
        var a = await h.StartControllerAsync(h.Options("controller-a"));
        await Harness.WaitAsync(() => a.IsLeader, "a leads");
        var b = await h.StartControllerAsync(h.Options("controller-b"));
        await Harness.WaitAsync(() => b.Synced && b.Reconciles > 0, "b translated");
        await Harness.WaitAsync(() => h.Server.List(ResourceType.Services).Any(s => s["metadata"]!["name"]!.GetValue<string>().StartsWith("causeway-", StringComparison.Ordinal)), "a applied infrastructure");
        Assert.False(b.IsLeader);
        Assert.Equal(0, b.StatusWrites);
        Assert.Equal(0, b.InfrastructureApplies);
        Assert.True(a.StatusWrites > 0);

        await a.StopAsync(CancellationToken.None);
        await Harness.WaitAsync(() => b.IsLeader, "b takes over", 5);
        h.Server.Upsert(GatewayJson("late-gw", 9090));
        await Harness.WaitAsync(() => GatewayAccepted(h, "late-gw") == "True", "b writes status of a new Gateway");
        // The server stores the write before b has read the response and counted it.
        await Harness.WaitAsync(() => b.StatusWrites > 0, "b counts its status write", 2);
        Assert.Equal("controller-b", h.Server.Get(ResourceType.Leases, "causeway-system", "causeway-controller")!["spec"]!["holderIdentity"]!.GetValue<string>());
    }

    [Fact]
    public async Task WatchFaults_DropGoneStallAndOutOfOrder_Converge()
    {
        await using var h = await Harness.StartAsync();
        h.ApplyTestdata("seed-basic-httproute.in.yaml");
        var c = await h.StartControllerAsync();
        await Harness.WaitAsync(() => c.Synced && c.IsLeader, "synced leader");

        h.Server.DropWatches();
        h.Server.Upsert(GatewayJson("gw-1", 9001));
        await Harness.WaitAsync(() => GatewayAccepted(h, "gw-1") == "True", "after dropped watches");

        // 410: the history is compacted while an object is deleted and another created: the relist synthesises the delete.
        h.Server.HoldEvents();
        h.Server.Delete(ResourceType.Gateways, "test", "gw-1");
        h.Server.Upsert(GatewayJson("gw-2", 9002));
        h.Server.ForceGone();
        h.Server.ReleaseEvents(reverse: false);
        await Harness.WaitAsync(() => GatewayAccepted(h, "gw-2") == "True", "after 410");
        await Harness.WaitAsync(() => c.LastResult!.Gateways.All(g => g.Name != "test/gw-1"), "gw-1 gone from the translation");

        // Events of different objects delivered in reverse order.
        h.Server.HoldEvents();
        h.Server.Upsert(GatewayJson("gw-3", 9003));
        h.Server.Upsert(GatewayJson("gw-4", 9004));
        h.Server.Delete(ResourceType.Gateways, "test", "gw-2");
        h.Server.ReleaseEvents(reverse: true);
        await Harness.WaitAsync(() => GatewayAccepted(h, "gw-3") == "True" && GatewayAccepted(h, "gw-4") == "True", "after out-of-order events");
        await Harness.WaitAsync(() => c.LastResult!.Gateways.All(g => g.Name != "test/gw-2"), "gw-2 gone");
        h.Server.ReleaseEvents(reverse: false);

        // A stale injected event (older version of an existing object) does not roll the cache back.
        var gw3 = h.Server.Get(ResourceType.Gateways, "test", "gw-3")!;
        var stale = (JsonObject)gw3.DeepClone();
        stale["metadata"]!["resourceVersion"] = "1";
        stale["spec"]!["gatewayClassName"] = "missing-class";
        h.Server.InjectEvent(ResourceType.Gateways, "MODIFIED", stale);
        h.Server.Upsert(GatewayJson("gw-5", 9005));
        await Harness.WaitAsync(() => GatewayAccepted(h, "gw-5") == "True", "after stale event");
        Assert.Contains(c.LastResult!.Gateways, g => g.Name == "test/gw-3");

        // A silent watch is restarted by the watchdog.
        var before = h.Server.WatchRequests;
        h.Server.StallWatches();
        h.Server.Upsert(GatewayJson("gw-6", 9006));
        await Harness.WaitAsync(() => GatewayAccepted(h, "gw-6") == "True", "after stalled watches (watchdog)", 15);
        Assert.True(h.Server.WatchRequests > before);
    }

    [Fact]
    public async Task RouteStatus_KeepsOtherControllersParents()
    {
        await using var h = await Harness.StartAsync();
        h.ApplyTestdata("seed-basic-httproute.in.yaml");
        var routeName = h.Server.List(ResourceType.HttpRoutes).First()["metadata"]!;
        var (ns, name) = (routeName["namespace"]!.GetValue<string>(), routeName["name"]!.GetValue<string>());
        h.Server.UpdateStatus(ResourceType.HttpRoutes, ns, name, JsonNode.Parse("""
            {"parents":[{"parentRef":{"name":"other-gw"},"controllerName":"example.com/other","conditions":[{"type":"Accepted","status":"True","reason":"Accepted","message":"","observedGeneration":1,"lastTransitionTime":"2020-01-01T00:00:00Z"}]}]}
            """)!.AsObject());
        await h.StartControllerAsync();
        await Harness.WaitAsync(() => h.Server.Get(ResourceType.HttpRoutes, ns, name)?["status"]?["parents"] is JsonArray { Count: 2 }, "ours added next to theirs",
            detail: () => $"status: {h.Server.Get(ResourceType.HttpRoutes, ns, name)?["status"]?.ToJsonString()}");
        var parents = (JsonArray)h.Server.Get(ResourceType.HttpRoutes, ns, name)!["status"]!["parents"]!;
        Assert.Equal("example.com/other", parents[0]!["controllerName"]!.GetValue<string>());
        Assert.Equal(TranslatorOptions.DefaultControllerName, parents[1]!["controllerName"]!.GetValue<string>());
    }
}
