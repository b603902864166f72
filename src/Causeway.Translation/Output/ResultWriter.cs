using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Causeway.Model.Loading;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;

namespace Causeway.Translation.Output;

/// <summary>
/// Renders a translation as data: the IR of every Gateway and every object with its status, sorted and stable.
/// Shared by <c>causeway translate</c>, the admin API and the golden tests. Secret data is never included.
/// </summary>
public static class ResultWriter
{
    /// <summary>The JSON shape shown to people and tools (see <see cref="OutputJson"/>).</summary>
    public static JsonSerializerOptions Json => OutputJson.Options;

    public static JsonObject Render(TranslationResult result, ResourceSnapshot snapshot, bool ir = true, bool status = true)
    {
        var root = new JsonObject();
        if (ir) root["gateways"] = JsonSerializer.SerializeToNode(result.Gateways.AsImmutableArray(), Json);
        if (status) root["objects"] = Objects(result, snapshot);
        if (result.Problems.Length > 0) root["problems"] = new JsonArray([.. result.Problems.Select(p => (JsonNode)p)]);
        return root;
    }

    /// <summary>Every object with the status the translator decided, as kubectl would show apiVersion/kind/metadata/status.</summary>
    public static JsonArray Objects(TranslationResult result, ResourceSnapshot snapshot)
    {
        var statuses = result.Statuses.ToDictionary(x => x.Key);
        var arr = new JsonArray();
        foreach (var o in snapshot.All)
        {
            if (o is Secret or ConfigMap or EndpointSlice) continue;
            var node = new JsonObject
            {
                ["apiVersion"] = o.ApiVersion,
                ["kind"] = o.Kind,
                ["metadata"] = Metadata(o),
            };
            if (statuses.TryGetValue(o.Key, out var st))
                node["status"] = JsonSerializer.SerializeToNode(st.Status, st.Status.GetType(), Json);
            arr.Add(node);
        }
        return arr;
    }

    private static JsonObject Metadata(KubeObject o)
    {
        var m = new JsonObject { ["name"] = o.Name };
        if (o.Namespace.Length > 0) m["namespace"] = o.Namespace;
        m["generation"] = o.Metadata.Generation;
        return m;
    }

    public static string ToJson(JsonNode node) => node.ToJsonString(Json);

    public static string ToYaml(JsonNode node) => YamlOutput.Write(node);

    internal static bool IsGatewayApi(KubeObject o) => o.Group == KindRegistry.GatewayGroup;
}
