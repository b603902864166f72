using System.Text.Json;
using System.Text.Json.Nodes;
using Causeway.Model.Objects;

namespace Causeway.Model.Loading;

/// <summary>
/// Reads an Envoy Gateway <c>EnvoyProxy</c> as the equivalent <see cref="ProxyConfig"/> for the fields the seed uses:
/// <c>spec.provider.kubernetes.envoyDeployment</c> (replicas, container.resources, pod annotations/labels) and
/// <c>envoyService</c> (type, annotations, labels, loadBalancerClass, externalTrafficPolicy), and
/// <c>spec.telemetry.tracing</c> and <c>accessLog</c>.
/// </summary>
internal static class EnvoyProxyReader
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static ProxyConfig Read(JsonObject body)
    {
        var meta = body["metadata"]?.Deserialize<ObjectMeta>(Json) ?? new ObjectMeta();
        var k8s = body["spec"]?["provider"]?["kubernetes"];
        var deployment = k8s?["envoyDeployment"];
        var service = k8s?["envoyService"];
        var spec = new ProxyConfigSpec
        {
            Replicas = deployment?["replicas"]?.Deserialize<int?>(Json),
            Resources = deployment?["container"]?["resources"]?.Deserialize<ResourceRequirements>(Json),
            Pod = deployment?["pod"] is JsonObject pod ? new ProxyPodSpec { Annotations = Map(pod["annotations"]), Labels = Map(pod["labels"]) } : null,
            Service = service is JsonObject svc ? new ProxyServiceSpec
            {
                Type = svc["type"]?.GetValue<string>(),
                Annotations = Map(svc["annotations"]),
                Labels = Map(svc["labels"]),
                LoadBalancerClass = svc["loadBalancerClass"]?.GetValue<string>(),
                ExternalTrafficPolicy = svc["externalTrafficPolicy"]?.GetValue<string>(),
            } : null,
            Telemetry = Telemetry(body["spec"]?["telemetry"]),
        };
        return new ProxyConfig { ApiVersion = body["apiVersion"]!.GetValue<string>(), Kind = "EnvoyProxy", Metadata = meta, Spec = spec };
    }

    private static ProxyTelemetry? Telemetry(JsonNode? telemetry)
    {
        var tracing = telemetry?["tracing"] as JsonObject;
        var accessLog = telemetry?["accessLog"] as JsonObject;
        if (tracing is null && accessLog is null) return null;
        return new ProxyTelemetry { Tracing = tracing?.Deserialize<ProxyTracing>(Json), AccessLog = accessLog?.Deserialize<ProxyAccessLog>(Json) };
    }

    private static IReadOnlyDictionary<string, string> Map(JsonNode? node) =>
        node?.Deserialize<Dictionary<string, string>>(Json) ?? new Dictionary<string, string>();
}
