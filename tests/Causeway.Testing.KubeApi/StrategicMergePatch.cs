using System.Text.Json.Nodes;

namespace Causeway.Testing.KubeApi;

/// <summary>
/// Strategic merge patch (<c>application/strategic-merge-patch+json</c>) without the Go types' patch metadata: maps merge
/// as in a JSON merge patch; a list of objects merges item by item on the key its <c>$setElementOrder/FIELD</c> directive
/// names (or <c>name</c> when every item has one), honouring <c>$patch: delete</c> items and the directive's order; other
/// lists are replaced. <c>$patch: replace</c>, <c>$retainKeys</c> and <c>$deleteFromPrimitiveList/FIELD</c> are honoured.
/// </summary>
internal static class StrategicMergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject p) return patch?.DeepClone();
        if (p["$patch"]?.GetValue<string>() == "replace") return WithoutDirectives(p);
        if (p["$patch"]?.GetValue<string>() == "delete") return null;
        var result = target is JsonObject t ? (JsonObject)t.DeepClone() : [];
        foreach (var (k, v) in p)
        {
            if (k.StartsWith('$')) continue;
            if (v is null) { result.Remove(k); continue; }
            var orderKey = p["$setElementOrder/" + k] as JsonArray;
            result[k] = v is JsonArray list ? MergeList(result[k] as JsonArray, list, orderKey) : Apply(result[k], v);
            if (result[k] is null) result.Remove(k);
        }
        foreach (var (k, v) in p)
        {
            if (k.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal) && v is JsonArray del && result[k[25..]] is JsonArray prim)
                foreach (var d in del) { var hit = prim.FirstOrDefault(x => JsonNode.DeepEquals(x, d)); if (hit is not null) prim.Remove(hit); }
            if (k.StartsWith("$setElementOrder/", StringComparison.Ordinal) && v is JsonArray order && result[k[17..]] is JsonArray list)
                result[k[17..]] = Reorder(list, order);
        }
        if (p["$retainKeys"] is JsonArray retain)
        {
            var keep = retain.Select(r => r!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            foreach (var k in result.Select(kv => kv.Key).Where(k => !keep.Contains(k)).ToList()) result.Remove(k);
        }
        return result;
    }

    private static JsonNode? MergeList(JsonArray? current, JsonArray patch, JsonArray? order)
    {
        var key = order?.OfType<JsonObject>().FirstOrDefault()?.Select(kv => kv.Key).FirstOrDefault()
                  ?? (patch.Count > 0 && patch.All(i => i is JsonObject o && o["name"] is not null) ? "name" : null);
        if (key is null || current is null || !patch.All(i => i is JsonObject))
            return new JsonArray([.. patch.Select(i => i is JsonObject o ? WithoutDirectives(o) : i?.DeepClone())]);
        var result = (JsonArray)current.DeepClone();
        foreach (var item in patch.OfType<JsonObject>())
        {
            var existing = result.OfType<JsonObject>().FirstOrDefault(i => JsonNode.DeepEquals(i[key], item[key]));
            if (item["$patch"]?.GetValue<string>() == "delete")
            {
                if (existing is not null) result.Remove(existing);
                continue;
            }
            if (existing is null) result.Add(WithoutDirectives(item));
            else result[result.IndexOf(existing)] = Apply(existing, item);
        }
        return result;
    }

    private static JsonArray Reorder(JsonArray list, JsonArray order)
    {
        var key = order.OfType<JsonObject>().FirstOrDefault()?.Select(kv => kv.Key).FirstOrDefault();
        var items = list.Select(i => i?.DeepClone()).ToList();
        var sorted = new JsonArray();
        foreach (var o in order)
        {
            var hit = items.FirstOrDefault(i => key is null ? JsonNode.DeepEquals(i, o) : i is JsonObject io && JsonNode.DeepEquals(io[key], o?[key]));
            if (hit is null) continue;
            items.Remove(hit);
            sorted.Add(hit);
        }
        foreach (var rest in items) sorted.Add(rest);
        return sorted;
    }

    private static JsonObject WithoutDirectives(JsonObject o)
    {
        var c = new JsonObject();
        foreach (var (k, v) in o)
            if (!k.StartsWith('$')) c[k] = v is JsonObject child ? WithoutDirectives(child) : v?.DeepClone();
        return c;
    }
}
