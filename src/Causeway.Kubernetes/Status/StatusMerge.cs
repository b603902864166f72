using System.Text.Json.Nodes;

namespace Causeway.Kubernetes.Status;

/// <summary>JSON helpers of the status writer: merging with other controllers' entries, keeping transition times, comparing.</summary>
internal static class StatusMerge
{
    /// <summary>
    /// The status to write: for routes (status.parents) and policies (status.ancestors) the live entries of other
    /// controllers are kept and ours replaced; every other status is ours alone.
    /// </summary>
    public static JsonObject Merge(JsonObject desired, JsonObject? live, string controllerName)
    {
        var result = (JsonObject)desired.DeepClone();
        foreach (var listName in new[] { "parents", "ancestors" })
        {
            if (result[listName] is not JsonArray ours && live?[listName] is not JsonArray) continue;
            var merged = new JsonArray();
            if (live?[listName] is JsonArray theirs)
                foreach (var e in theirs)
                    if (e?["controllerName"]?.GetValue<string>() != controllerName) merged.Add(e!.DeepClone());
            if (result[listName] is JsonArray mine)
                foreach (var e in mine) merged.Add(e?.DeepClone());
            result[listName] = merged;
        }
        CarryTransitionTimes(result, live);
        return result;
    }

    /// <summary>A condition whose type and status are unchanged keeps the lastTransitionTime the live object shows.</summary>
    public static void CarryTransitionTimes(JsonNode? desired, JsonNode? live)
    {
        if (desired is JsonObject d && live is JsonObject l)
        {
            foreach (var (k, v) in d.ToList())
            {
                if (k == "conditions" && v is JsonArray dc && l[k] is JsonArray lc)
                {
                    foreach (var c in dc.OfType<JsonObject>())
                    {
                        var match = lc.OfType<JsonObject>().FirstOrDefault(x => Str(x["type"]) == Str(c["type"]) && Str(x["status"]) == Str(c["status"]));
                        if (match?["lastTransitionTime"] is { } t) c["lastTransitionTime"] = t.DeepClone();
                    }
                }
                else CarryTransitionTimes(v, l[k]);
            }
        }
        else if (desired is JsonArray da && live is JsonArray la)
        {
            foreach (var item in da.OfType<JsonObject>())
            {
                var id = Identity(item);
                if (id is null) continue;
                CarryTransitionTimes(item, la.OfType<JsonObject>().FirstOrDefault(x => Identity(x) == id));
            }
        }
    }

    /// <summary>What identifies an entry of a status list: listener name, or parent/ancestor reference and controller.</summary>
    private static string? Identity(JsonObject o) =>
        o["name"] is JsonValue n ? "name:" + Str(n)
        : o["parentRef"] is JsonObject p ? "parent:" + Canonical(p) + Str(o["controllerName"])
        : o["ancestorRef"] is JsonObject a ? "ancestor:" + Canonical(a) + Str(o["controllerName"])
        : null;

    /// <summary>A merge patch that makes the live status exactly <paramref name="desired"/> (absent keys set to null).</summary>
    public static JsonObject ReplacementPatch(JsonObject desired, JsonObject? live)
    {
        var patch = (JsonObject)desired.DeepClone();
        if (live is not null)
            foreach (var (k, _) in live)
                if (!patch.ContainsKey(k)) patch[k] = null;
        return patch;
    }

    public static bool SameJson(JsonNode? a, JsonNode? b) => Canonical(a) == Canonical(b);

    /// <summary>Stable text of a JSON value: object keys sorted, numbers as written.</summary>
    public static string Canonical(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"\"{p.Key}\":{Canonical(p.Value)}")) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonical)) + "]",
        _ => node.ToJsonString(),
    };

    private static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : n?.ToJsonString();
}
