using System.Net;
using System.Text.Json.Nodes;
using Causeway.Distribution.Security;
using Causeway.Distribution.Server;
using Causeway.Kubernetes.Api;
using Causeway.Testing.KubeApi;
using Microsoft.Extensions.Logging.Abstractions;

namespace Causeway.Kubernetes.Tests.Wiring;

/// <summary>The fake API server enforces the install bundle's RBAC for the controller: a missing rule fails here.</summary>
public sealed class RbacEnforcementTests
{
    [Fact]
    public async Task SeedScenario_WithInstallBundleRbacEnforced_NothingDenied()
    {
        await using var h = await Harness.StartAsync();
        h.Server.Rbac = RbacPolicy.FromInstallBundle();
        h.ApplyTestdata("seed-l4-l7-one-gateway.in.yaml");
        h.ApplyTestdata("seed-envoyproxy-parametersref-tke.in.yaml");
        h.ApplyTestdata("seed-l4-l7-one-gateway.in.yaml");

        // The CA Secret in the controller's namespace (created once, then loaded).
        using var ca = await DistributionCaStore.LoadOrCreateAsync(h.Options(), "causeway-system", NullLogger.Instance, CancellationToken.None);
        using (var again = await DistributionCaStore.LoadOrCreateAsync(h.Options(), "causeway-system", NullLogger.Instance, CancellationToken.None))
            Assert.Equal(ca.CertificatePem, again.CertificatePem);

        await using var server = new DistributionServer(new DistributionServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Authority = ca });
        await server.StartAsync(CancellationToken.None);
        var controller = await h.StartControllerAsync(h.Options() with { Distribution = new ControllerDistribution(server, ca) });

        await Harness.WaitAsync(() => Harness.ConditionStatus(h.Server.Get(ResourceType.Gateways, "test", "test-gw"), "Accepted") == "True", "Gateway Accepted=True");
        await Harness.WaitAsync(() => h.Server.Get(ResourceType.HttpRoutes, "test", "test")?["status"]?["parents"] is JsonArray { Count: 2 }, "HTTPRoute status");
        await Harness.WaitAsync(() => h.Server.Get(ResourceType.TcpRoutes, "default", "foo")?["status"]?["parents"] is JsonArray { Count: 1 }, "TCPRoute status");
        await Harness.WaitAsync(() => h.Server.Get(ResourceType.Deployments, "test", "causeway-test-gw") is not null, "proxy Deployment");
        await Harness.WaitAsync(() => h.Server.Get(ResourceType.Secrets, "test", "causeway-test-gw-proxy") is not null, "proxy credentials Secret");
        h.Server.UpdateStatus(ResourceType.Services, "test", "causeway-test-gw",
            new JsonObject { ["loadBalancer"] = new JsonObject { ["ingress"] = new JsonArray(new JsonObject { ["ip"] = "203.0.113.7" }) } });
        await Harness.WaitAsync(() => Harness.Condition(h.Server.Get(ResourceType.Gateways, "test", "test-gw"), "Programmed")?["reason"]?.GetValue<string>() == "Pending",
            "Gateway Programmed=False/Pending (no proxy)");
        h.Server.Delete(ResourceType.Gateways, "test", "test-gw");
        await Harness.WaitAsync(() => h.Server.Get(ResourceType.Services, "test", "causeway-test-gw") is null, "infrastructure deleted");

        Assert.True(controller.IsLeader);
        Assert.True(controller.StatusWrites > 0);
        Assert.Empty(h.Server.Denied);
    }

    [Fact]
    public async Task MissingRule_IsDenied_AndTheControllerCannotLead()
    {
        await using var h = await Harness.StartAsync();
        // The bundle without its Role (Leases in the controller's namespace).
        h.Server.Rbac = RbacPolicy.FromInstallBundle() with { NamespaceRules = [] };
        h.ApplyTestdata("seed-l4-l7-one-gateway.in.yaml");
        var controller = await h.StartControllerAsync();
        await Harness.WaitAsync(() => h.Server.Denied.Any(d => d.Contains("coordination.k8s.io/leases", StringComparison.Ordinal)), "the Lease request is denied");
        await Task.Delay(500);
        Assert.False(controller.IsLeader);
        Assert.Null(Harness.Condition(h.Server.Get(ResourceType.Gateways, "test", "test-gw"), "Accepted"));
        // The Lease rule is not granted outside the controller's namespace either.
        Assert.False(RbacPolicy.FromInstallBundle().Allows("coordination.k8s.io", "leases", "create", "default"));
        Assert.False(RbacPolicy.FromInstallBundle().Allows("gateway.networking.k8s.io", "gateways", "update", "test"));
    }
}
