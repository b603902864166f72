using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Causeway.Model.Objects;

namespace Causeway.Translation.Policies;

/// <summary>
/// <c>spec.mergeType</c>: a route policy's spec merged onto the spec of its closest parent policy of the same kind (a
/// Gateway or ListenerSet one), at the JSON level, into one policy that then compiles like any other. The merged policy
/// keeps the route policy's identity and targets and has no <c>mergeType</c>.
/// <list type="bullet">
/// <item><c>JSONMerge</c>: RFC 7396 (objects merge key by key, the route's values replace, lists included).</item>
/// <item><c>StrategicMerge</c>: objects merge key by key, lists are joined (the Gateway's items, then the route's not
/// already there), so, e.g., both policies' rate limit rules or response overrides apply.</item>
/// </list>
/// </summary>
internal static class PolicyMerge
{
    public const string StrategicMerge = "StrategicMerge";
    public const string JsonMerge = "JSONMerge";

    /// <summary>The object model's JSON form (as manifests are read), without the unset fields.</summary>
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// Adds to <paramref name="errors"/> what is wrong with a policy's <c>mergeType</c>: an unknown type, or a policy
    /// that may target a Gateway or ListenerSet (only route policies merge, onto those).
    /// </summary>
    public static void Check(string? mergeType, Causeway.Model.Objects.PolicyTargetReference? targetRef,
        IReadOnlyList<Causeway.Model.Objects.PolicyTargetReference> targetRefs,
        IReadOnlyList<Causeway.Model.Objects.EnvoyGateway.PolicyTargetSelector> targetSelectors, List<string> errors)
    {
        if (mergeType is null) return;
        if (mergeType is not (StrategicMerge or JsonMerge))
        {
            errors.Add($"spec.mergeType: \"{mergeType}\" is not a merge type (StrategicMerge or JSONMerge)");
            return;
        }
        var parents = targetRefs.Append(targetRef).Select(r => r?.Kind).Concat(targetSelectors.Select(t => t.Kind))
            .Where(k => k is "Gateway" or "ListenerSet").Distinct().ToList();
        if (parents.Count > 0)
            errors.Add($"spec.mergeType: only a policy targeting routes can merge (onto its Gateway's or ListenerSet's policy); this one targets {string.Join(", ", parents)}");
    }

    /// <summary><paramref name="route"/>'s spec merged onto <paramref name="parent"/>'s by <paramref name="mergeType"/>.</summary>
    /// <exception cref="JsonException">The merged spec does not read back as the policy kind (reported by the caller).</exception>
    public static TPolicy Merge<TPolicy>(TPolicy parent, TPolicy route, string mergeType) where TPolicy : KubeObject
    {
        var parentNode = JsonSerializer.SerializeToNode(parent, typeof(TPolicy), Json)!.AsObject();
        var routeNode = JsonSerializer.SerializeToNode(route, typeof(TPolicy), Json)!.AsObject();
        var parentSpec = Pruned(parentNode["spec"]) as JsonObject ?? [];
        var routeSpec = Pruned(routeNode["spec"]) as JsonObject ?? [];
        foreach (var key in new[] { "targetRef", "targetRefs", "targetSelectors", "mergeType" }) parentSpec.Remove(key);
        routeSpec.Remove("mergeType");
        var merged = MergeObjects(parentSpec, routeSpec, mergeType == StrategicMerge);
        routeNode["spec"] = merged;
        return (TPolicy)routeNode.Deserialize(typeof(TPolicy), Json)!;
    }

    private static JsonObject MergeObjects(JsonObject target, JsonObject patch, bool strategic)
    {
        var result = new JsonObject();
        foreach (var (key, value) in target) result[key] = value?.DeepClone();
        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                result.Remove(key); // RFC 7396: null removes
                continue;
            }
            var existing = result[key];
            result[key] = (existing, value) switch
            {
                (JsonObject t, JsonObject p) => MergeObjects(t, p, strategic),
                (JsonArray t, JsonArray p) when strategic => Join(t, p),
                _ => value.DeepClone(),
            };
        }
        return result;
    }

    private static JsonArray Join(JsonArray target, JsonArray patch)
    {
        var result = new JsonArray();
        foreach (var item in target) result.Add(item?.DeepClone());
        foreach (var item in patch)
            if (!target.Any(t => JsonNode.DeepEquals(t, item))) result.Add(item?.DeepClone());
        return result;
    }

    /// <summary>The node without empty strings and lists (what the object model writes for fields a manifest left out).</summary>
    private static JsonNode? Pruned(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                var copy = new JsonObject();
                foreach (var (key, value) in o)
                {
                    var v = Pruned(value);
                    if (v is null || v is JsonArray { Count: 0 } || (v is JsonValue jv && jv.TryGetValue<string>(out var str) && str.Length == 0)) continue;
                    copy[key] = v;
                }
                return copy;
            case JsonArray a:
                var list = new JsonArray();
                foreach (var item in a) list.Add(Pruned(item));
                return list;
            default:
                return node?.DeepClone();
        }
    }
}
