using System.Text.Json.Nodes;

namespace Causeway.Testing.KubeApi;

/// <summary>
/// The JSONPath subset CRD printer columns use: <c>.a.b</c>, <c>.a[*].b</c>, <c>.a[0]</c> and equality filters
/// <c>.a[?(@.type=="X")].b</c>. Returns every match in document order.
/// </summary>
internal static class SimpleJsonPath
{
    public static List<JsonNode> Find(JsonNode? root, string path)
    {
        var current = new List<JsonNode>();
        if (root is not null) current.Add(root);
        var p = path.Trim();
        if (p.StartsWith('{') && p.EndsWith('}')) p = p[1..^1];
        var i = 0;
        while (i < p.Length && current.Count > 0)
        {
            if (p[i] == '.')
            {
                var end = i + 1;
                while (end < p.Length && p[end] != '.' && p[end] != '[') end++;
                var name = p[(i + 1)..end];
                if (name.Length > 0) current = [.. current.OfType<JsonObject>().Select(o => o[name]).OfType<JsonNode>()];
                i = end;
            }
            else if (p[i] == '[')
            {
                var end = p.IndexOf(']', i);
                if (end < 0) throw new FormatException($"unterminated '[' in JSONPath {path}");
                var inner = p[(i + 1)..end];
                current = Index(current, inner, path);
                i = end + 1;
            }
            else throw new FormatException($"unexpected '{p[i]}' in JSONPath {path}");
        }
        return current;
    }

    private static List<JsonNode> Index(List<JsonNode> nodes, string inner, string path)
    {
        var arrays = nodes.OfType<JsonArray>().ToList();
        if (inner == "*") return [.. arrays.SelectMany(a => a).OfType<JsonNode>()];
        if (int.TryParse(inner, out var n)) return [.. arrays.Where(a => n < a.Count).Select(a => a[n]).OfType<JsonNode>()];
        if (inner.StartsWith("?(@.", StringComparison.Ordinal) && inner.EndsWith(')'))
        {
            var expr = inner[4..^1];
            var eq = expr.IndexOf("==", StringComparison.Ordinal);
            if (eq < 0) throw new FormatException($"only == filters are supported in JSONPath {path}");
            var field = expr[..eq].Trim();
            var value = expr[(eq + 2)..].Trim().Trim('"', '\'');
            return [.. arrays.SelectMany(a => a).OfType<JsonObject>().Where(o => Text(Find(o, "." + field).FirstOrDefault()) == value)];
        }
        throw new FormatException($"unsupported index [{inner}] in JSONPath {path}");
    }

    /// <summary>A scalar as kubectl prints it (strings bare, other values as JSON).</summary>
    public static string? Text(JsonNode? n) => n switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => n.ToJsonString(),
    };
}
