using System.Text.Json.Nodes;
using Causeway.Kubernetes.Api;
using Causeway.Translation;

namespace Causeway.Kubernetes.Tests;

public sealed class ControllerSeedTests
{
    [Fact]
    public async Task SeedScenario_StatusesInfrastructureAddressesAndCascade()
    {
        await using var h = await Harness.StartAsync();
        h.ApplyTestdata("seed-l4-l7-one-gateway.in.yaml");
        h.ApplyTestdata("seed-envoyproxy-parametersref-tke.in.yaml"); // adds the EnvoyProxy and parametersRef; test-gw gets port 8080 only
        // Keep the L4/L7 Gateway of the first scenario (the second file redefines test-gw with one listener).
        h.ApplyTestdata("seed-l4-l7-one-gateway.in.yaml");
        var gwClass = h.Server.Get(ResourceType.GatewayClasses, null, "eg")!;
        gwClass["spec"]!["parametersRef"] = new JsonObject { ["group"] = "gateway.envoyproxy.io", ["kind"] = "EnvoyProxy", ["name"] = "proxy-config", ["namespace"] = "test" };
        h.Server.Upsert(gwClass);
        var controller = await h.StartControllerAsync();

        await Harness.WaitAsync(() => Harness.ConditionStatus(h.Server.Get(ResourceType.GatewayClasses, null, "eg"), "Accepted") == "True", "GatewayClass eg Accepted=True");
        await Harness.WaitAsync(() => Harness.ConditionStatus(h.Server.Get(ResourceType.Gateways, "test", "test-gw"), "Accepted") == "True", "Gateway Accepted=True");
        var gw = h.Server.Get(ResourceType.Gateways, "test", "test-gw")!;
        Assert.Equal("False", Harness.ConditionStatus(gw, "Programmed"));
        Assert.Equal("AddressNotAssigned", Harness.Condition(gw, "Programmed")!["reason"]!.GetValue<string>());
        Assert.Equal(4, (gw["status"]!["listeners"] as JsonArray)!.Count);

        await Harness.WaitAsync(() => Harness.Condition(h.Server.Get(ResourceType.HttpRoutes, "test", "test"), "Accepted", "status.parents.0.conditions") is not null, "HTTPRoute parents status");
        var route = h.Server.Get(ResourceType.HttpRoutes, "test", "test")!;
        var parents = (JsonArray)route["status"]!["parents"]!;
        Assert.Equal(2, parents.Count);
        Assert.All(parents, p => Assert.Equal(TranslatorOptions.DefaultControllerName, p!["controllerName"]!.GetValue<string>()));
        await Harness.WaitAsync(() => h.Server.Get(ResourceType.TcpRoutes, "default", "foo")?["status"]?["parents"] is JsonArray { Count: 1 }, "TCPRoute status");
        await Harness.WaitAsync(() => h.Server.Get(ResourceType.UdpRoutes, "default", "foo")?["status"]?["parents"] is JsonArray { Count: 1 }, "UDPRoute status");

        // Infrastructure with the EnvoyProxy's fields.
        await Harness.WaitAsync(() => h.Server.Get(ResourceType.Services, "test", "causeway-test-gw") is not null, "proxy Service");
        var svc = h.Server.Get(ResourceType.Services, "test", "causeway-test-gw")!;
        Assert.Equal("LoadBalancer", svc["spec"]!["type"]!.GetValue<string>());
        Assert.Equal("lb-5nhlk3nr", svc["metadata"]!["annotations"]!["service.kubernetes.io/tke-existed-lbid"]!.GetValue<string>());
        Assert.Equal("true", svc["metadata"]!["annotations"]!["service.cloud.tencent.com/direct-access"]!.GetValue<string>());
        var ports = ((JsonArray)svc["spec"]!["ports"]!).Select(p => $"{p!["protocol"]}/{p["port"]}").ToList();
        Assert.Equal(["TCP/80", "TCP/443", "TCP/6000", "UDP/6000"], ports);
        Assert.Equal(gw["metadata"]!["uid"]!.GetValue<string>(), svc["metadata"]!["ownerReferences"]![0]!["uid"]!.GetValue<string>());
        var dep = h.Server.Get(ResourceType.Deployments, "test", "causeway-test-gw")!;
        var pod = dep["spec"]!["template"]!;
        Assert.Equal("tke-route-eni", pod["metadata"]!["annotations"]!["tke.cloud.tencent.com/networks"]!.GetValue<string>());
        var container = pod["spec"]!["containers"]![0]!;
        Assert.Equal("1", container["resources"]!["requests"]!["tke.cloud.tencent.com/eni-ip"]!.GetValue<string>());
        Assert.Equal("1", container["resources"]!["limits"]!["tke.cloud.tencent.com/eni-ip"]!.GetValue<string>());
        Assert.Equal(["proxy", "--gateway", "test/test-gw", "--controller", "causeway-controller.causeway-system.svc:9443",
                "--credentials", "/etc/causeway/credentials", "--health-address", "0.0.0.0:19003",
                "--metrics-address", "0.0.0.0:19001"],
            ((JsonArray)container["args"]!).Select(a => a!.GetValue<string>()));
        Assert.Equal(1, dep["spec"]!["replicas"]!.GetValue<int>());
        Assert.Contains(dep["metadata"]!["managedFields"]!.AsArray(), m => m!["manager"]!.GetValue<string>() == "causeway");
        Assert.NotNull(h.Server.Get(ResourceType.ServiceAccounts, "test", "causeway-test-gw"));

        // The cloud assigns an address: the Gateway shows it and becomes Programmed.
        h.Server.UpdateStatus(ResourceType.Services, "test", "causeway-test-gw",
            new JsonObject { ["loadBalancer"] = new JsonObject { ["ingress"] = new JsonArray(new JsonObject { ["ip"] = "203.0.113.7" }) } });
        await Harness.WaitAsync(() => Harness.ConditionStatus(h.Server.Get(ResourceType.Gateways, "test", "test-gw"), "Programmed") == "True", "Gateway Programmed=True");
        gw = h.Server.Get(ResourceType.Gateways, "test", "test-gw")!;
        Assert.Equal("203.0.113.7", gw["status"]!["addresses"]![0]!["value"]!.GetValue<string>());
        Assert.Equal("IPAddress", gw["status"]!["addresses"]![0]!["type"]!.GetValue<string>());

        // No rewrite loop: once converged, the Gateway's resourceVersion stays put.
        var rv = gw["metadata"]!["resourceVersion"]!.GetValue<string>();
        await Task.Delay(500);
        Assert.Equal(rv, h.Server.Get(ResourceType.Gateways, "test", "test-gw")!["metadata"]!["resourceVersion"]!.GetValue<string>());

        // Deleting the Gateway deletes its infrastructure.
        h.Server.Delete(ResourceType.Gateways, "test", "test-gw");
        await Harness.WaitAsync(() => h.Server.Get(ResourceType.Services, "test", "causeway-test-gw") is null
                                      && h.Server.Get(ResourceType.Deployments, "test", "causeway-test-gw") is null
                                      && h.Server.Get(ResourceType.ServiceAccounts, "test", "causeway-test-gw") is null, "infrastructure deleted");
        Assert.True(controller.IsLeader);
    }
}
