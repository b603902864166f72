using System.Text.Json.Nodes;
using Causeway.Kubernetes.Api;
using Causeway.Translation;

namespace Causeway.Kubernetes.Tests;

/// <summary>Envoy Gateway kinds (gateway.envoyproxy.io) in Kubernetes mode: watched, translated, status written.</summary>
public sealed class EnvoyGatewayKindsTests
{
    private const string Manifest = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: eg}
        spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: test}
        spec:
          gatewayClassName: eg
          listeners: [{name: http, protocol: HTTP, port: 80}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: web, namespace: test}
        spec:
          parentRefs: [{name: gw}]
          rules: [{backendRefs: [{name: web, port: 80}]}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: test}
        spec:
          ports: [{name: http, protocol: TCP, port: 80}]
        ---
        apiVersion: gateway.envoyproxy.io/v1alpha1
        kind: BackendTrafficPolicy
        metadata: {name: limits, namespace: test}
        spec:
          targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: web}]
          circuitBreaker: {maxParallelRequests: 7}
        """;

    [Fact]
    public async Task BackendTrafficPolicyAppliedThroughTheApiServerGetsItsStatusWritten()
    {
        await using var h = await Harness.StartAsync();
        h.Server.ApplyManifest(Manifest);
        await h.StartControllerAsync();

        static JsonObject? Ancestor(JsonObject? policy) =>
            (policy?["status"]?["ancestors"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault();
        await Harness.WaitAsync(() => Ancestor(h.Server.Get(ResourceType.BackendTrafficPolicies, "test", "limits")) is not null,
            "BackendTrafficPolicy test/limits status.ancestors");
        var ancestor = Ancestor(h.Server.Get(ResourceType.BackendTrafficPolicies, "test", "limits"))!;
        Assert.Equal(TranslatorOptions.DefaultControllerName, ancestor["controllerName"]!.GetValue<string>());
        Assert.Equal("gw", ancestor["ancestorRef"]!["name"]!.GetValue<string>());
        var accepted = (ancestor["conditions"] as JsonArray)!.OfType<JsonObject>().Single(c => c["type"]!.GetValue<string>() == "Accepted");
        Assert.Equal("True", accepted["status"]!.GetValue<string>());

        // A change to the policy is seen through the watch: an invalid one is rejected in its own status.
        var policy = h.Server.Get(ResourceType.BackendTrafficPolicies, "test", "limits")!;
        policy["spec"]!["mergeType"] = "Bogus"; // not a merge type
        h.Server.Upsert(policy);
        static JsonObject? AcceptedOf(JsonObject? p) => (Ancestor(p)?["conditions"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(c => c["type"]!.GetValue<string>() == "Accepted");
        await Harness.WaitAsync(() => AcceptedOf(h.Server.Get(ResourceType.BackendTrafficPolicies, "test", "limits"))?["status"]?.GetValue<string>() == "False",
            "status follows the changed policy: Accepted=False");
        Assert.StartsWith("spec.mergeType:", AcceptedOf(h.Server.Get(ResourceType.BackendTrafficPolicies, "test", "limits"))!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
