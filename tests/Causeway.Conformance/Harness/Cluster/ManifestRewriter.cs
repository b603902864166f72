using System.Text.Json.Nodes;
using Causeway.Conformance.Harness.Corpus;
using Causeway.Model.Loading;

namespace Causeway.Conformance.Harness.Cluster;

/// <summary>The rewrites upstream's suite applies to every manifest before creating it (SOURCE.md, step 4).</summary>
public sealed class ManifestRewriter(string gatewayClassName, string controllerName, IReadOnlyList<string> usableAddresses, IReadOnlyList<string> unusableAddresses)
{
    public const string UsablePlaceholder = "PLACEHOLDER_USABLE_ADDRS";
    public const string UnusablePlaceholder = "PLACEHOLDER_UNUSABLE_ADDRS";

    public static ManifestRewriter Default { get; } = new(HarnessConstants.GatewayClassName, HarnessConstants.ControllerName,
        [HarnessConstants.UsableStaticAddress], [HarnessConstants.UnusableStaticAddress]);

    /// <summary>Parses multi-document YAML into JSON documents (null documents dropped) and rewrites each.</summary>
    public IReadOnlyList<JsonObject> ReadAndRewrite(string yaml)
    {
        var result = new List<JsonObject>();
        foreach (var doc in YamlJson.ReadDocuments(yaml))
            if (doc.Root is JsonObject o)
                result.Add(Rewrite(o));
        return result;
    }

    /// <summary>Rewrites one object in place and returns it.</summary>
    public JsonObject Rewrite(JsonObject doc)
    {
        var group = (doc.Str("apiVersion") ?? "").Split('/')[0];
        var kind = doc.Str("kind");
        if (group != KindRegistry.GatewayGroup) return doc;
        if (kind == "Gateway" && doc["spec"] is JsonObject spec)
        {
            spec["gatewayClassName"] = gatewayClassName;
            if (spec["addresses"] is JsonArray addresses)
            {
                var rewritten = new JsonArray();
                foreach (var a in addresses)
                {
                    var value = a.Str("value");
                    var replacement = value == UsablePlaceholder ? usableAddresses : value == UnusablePlaceholder ? unusableAddresses : null;
                    if (replacement is null) { rewritten.Add(a?.DeepClone()); continue; }
                    foreach (var r in replacement)
                        rewritten.Add(new JsonObject { ["type"] = "IPAddress", ["value"] = r });
                }
                spec["addresses"] = rewritten;
            }
        }
        else if (kind == "GatewayClass" && doc["spec"] is JsonObject gcSpec)
        {
            gcSpec["controllerName"] = controllerName;
        }
        return doc;
    }

    /// <summary>Replaces <c>{GATEWAY_CONTROLLER_NAME}</c> in every string of a cases.yaml fragment.</summary>
    public JsonNode? SubstituteControllerName(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, SubstituteControllerName(kv.Value)))),
        JsonArray a => new JsonArray([.. a.Select(SubstituteControllerName)]),
        JsonValue v when Node.AsString(v) is { } s && v.GetValueKind() == System.Text.Json.JsonValueKind.String =>
            JsonValue.Create(s.Replace("{GATEWAY_CONTROLLER_NAME}", controllerName, StringComparison.Ordinal)),
        null => null,
        _ => node.DeepClone(),
    };
}
