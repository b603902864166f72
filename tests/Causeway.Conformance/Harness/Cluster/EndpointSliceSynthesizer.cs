using System.Text.Json.Nodes;
using Causeway.Conformance.Harness.Corpus;

namespace Causeway.Conformance.Harness.Cluster;

/// <summary>Plays the EndpointSlice controller: one slice per Service with a selector, listing the matching pods.</summary>
public static class EndpointSliceSynthesizer
{
    public const string ManagedByLabel = "endpointslice.kubernetes.io/managed-by";
    public const string ManagedBy = "conformance.causeway.dev";

    public static string SliceName(string service) => $"{service}-causeway";

    /// <summary>
    /// Slices for every Service with a non-empty selector, except those in <paramref name="declared"/> (services whose
    /// slices the test itself declares).
    /// </summary>
    public static IReadOnlyList<JsonObject> Synthesize(IEnumerable<JsonObject> services, IReadOnlyList<Pod> pods, ISet<(string Namespace, string Service)> declared)
    {
        var result = new List<JsonObject>();
        foreach (var svc in services)
        {
            var ns = svc.Obj("metadata").Str("namespace") ?? "default";
            var name = svc.Obj("metadata").Str("name") ?? "";
            var selector = svc.Obj("spec").StrMap("selector");
            if (selector.Count == 0 || declared.Contains((ns, name))) continue;
            var selected = pods.Where(p => p.Namespace == ns && selector.All(kv => p.Labels.TryGetValue(kv.Key, out var v) && v == kv.Value)).ToList();
            result.Add(Slice(svc, ns, name, selected));
        }
        return result;
    }

    public static JsonObject Slice(JsonObject svc, string ns, string name, IReadOnlyList<Pod> pods)
    {
        var ports = new JsonArray();
        foreach (var p in (svc.Obj("spec").Arr("ports") ?? []).OfType<JsonObject>())
        {
            var port = new JsonObject
            {
                ["name"] = p.Str("name") ?? "",
                ["port"] = ResolveTargetPort(p, pods.FirstOrDefault()),
                ["protocol"] = p.Str("protocol") ?? "TCP",
            };
            if (p.Str("appProtocol") is { } ap) port["appProtocol"] = ap;
            ports.Add(port);
        }
        var endpoints = new JsonArray();
        foreach (var pod in pods)
            endpoints.Add(new JsonObject
            {
                ["addresses"] = new JsonArray(pod.Address.ToString()),
                ["conditions"] = new JsonObject { ["ready"] = true, ["serving"] = true, ["terminating"] = false },
                ["targetRef"] = new JsonObject { ["kind"] = "Pod", ["name"] = pod.Name, ["namespace"] = pod.Namespace },
            });
        return new JsonObject
        {
            ["apiVersion"] = "discovery.k8s.io/v1",
            ["kind"] = "EndpointSlice",
            ["metadata"] = new JsonObject
            {
                ["name"] = SliceName(name),
                ["namespace"] = ns,
                ["labels"] = new JsonObject { ["kubernetes.io/service-name"] = name, [ManagedByLabel] = ManagedBy },
            },
            ["addressType"] = "IPv4",
            ["endpoints"] = endpoints,
            ["ports"] = ports,
        };
    }

    /// <summary>targetPort number, or a named container port of the pod, or (absent) the service port.</summary>
    public static int ResolveTargetPort(JsonObject servicePort, Pod? pod)
    {
        var target = (servicePort as JsonObject)["targetPort"];
        if (target is null) return (int)(servicePort.Long("port") ?? 0);
        if (servicePort.Long("targetPort") is { } n) return (int)n;
        var name = Node.AsString(target) ?? "";
        return pod is not null && pod.NamedPorts.TryGetValue(name, out var p) ? p : (int)(servicePort.Long("port") ?? 0);
    }

    /// <summary>
    /// <c>setup.populateEndpointSlices</c>: fills a declared EndpointSlice that has no endpoints with the addresses of the
    /// pods of the backend its rule names (a Deployment or a Service name in the slice's namespace).
    /// </summary>
    public static JsonObject Populate(JsonObject slice, IReadOnlyList<Pod> backendPods)
    {
        var copy = (JsonObject)slice.DeepClone();
        var endpoints = copy.Arr("endpoints");
        if (endpoints is { Count: > 0 } && endpoints.OfType<JsonObject>().Any(e => e.StrList("addresses").Count > 0)) return copy;
        var list = new JsonArray();
        foreach (var pod in backendPods)
            list.Add(new JsonObject
            {
                ["addresses"] = new JsonArray(pod.Address.ToString()),
                ["conditions"] = new JsonObject { ["ready"] = true, ["serving"] = true, ["terminating"] = false },
                ["targetRef"] = new JsonObject { ["kind"] = "Pod", ["name"] = pod.Name, ["namespace"] = pod.Namespace },
            });
        copy["endpoints"] = list;
        return copy;
    }
}
