using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Causeway.Conformance.Harness.Corpus;

/// <summary>Small helpers to read loosely typed YAML/JSON trees.</summary>
public static class Node
{
    public static string? Str(this JsonNode? node, string name)
    {
        var v = node is JsonObject o ? o[name] : null;
        return AsString(v);
    }

    public static string? AsString(JsonNode? v) => v switch
    {
        null => null,
        JsonValue jv when jv.GetValueKind() == JsonValueKind.String => jv.GetValue<string>(),
        JsonValue jv when jv.GetValueKind() is JsonValueKind.True or JsonValueKind.False => jv.GetValue<bool>() ? "true" : "false",
        JsonValue jv => jv.ToJsonString(),
        _ => v.ToJsonString(),
    };

    public static bool Bool(this JsonNode? node, string name)
    {
        var v = node is JsonObject o ? o[name] : null;
        return v is JsonValue jv && jv.GetValueKind() == JsonValueKind.True;
    }

    public static bool Has(this JsonNode? node, string name) => node is JsonObject o && o.ContainsKey(name);

    public static long? Long(this JsonNode? node, string name)
    {
        var v = node is JsonObject o ? o[name] : null;
        if (v is not JsonValue jv) return null;
        return jv.GetValueKind() switch
        {
            JsonValueKind.Number => long.TryParse(jv.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l
                : (long)double.Parse(jv.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture),
            JsonValueKind.String => long.TryParse(jv.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : null,
            _ => null,
        };
    }

    public static double? Double(this JsonNode? node, string name)
    {
        var v = node is JsonObject o ? o[name] : null;
        if (v is not JsonValue jv) return null;
        return jv.GetValueKind() switch
        {
            JsonValueKind.Number => double.Parse(jv.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture),
            JsonValueKind.String => double.TryParse(jv.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var p) ? p : null,
            _ => null,
        };
    }

    public static JsonObject? Obj(this JsonNode? node, string name) => node is JsonObject o ? o[name] as JsonObject : null;

    public static JsonArray? Arr(this JsonNode? node, string name) => node is JsonObject o ? o[name] as JsonArray : null;

    public static IReadOnlyList<string> StrList(this JsonNode? node, string name)
    {
        var v = node is JsonObject o ? o[name] : null;
        return v switch
        {
            JsonArray a => [.. a.Select(AsString).Where(s => s is not null).Select(s => s!)],
            JsonValue => [AsString(v)!],
            _ => [],
        };
    }

    /// <summary>A mapping of scalars as an ordered list of pairs (keeps the file order).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> StrMap(this JsonNode? node, string name)
    {
        if (node.Obj(name) is not { } map) return [];
        return [.. map.Select(kv => new KeyValuePair<string, string>(kv.Key, AsString(kv.Value) ?? ""))];
    }

    /// <summary>"ns/name" split.</summary>
    public static (string Namespace, string Name) NsName(string value)
    {
        var slash = value.IndexOf('/');
        return slash < 0 ? ("", value) : (value[..slash], value[(slash + 1)..]);
    }
}
