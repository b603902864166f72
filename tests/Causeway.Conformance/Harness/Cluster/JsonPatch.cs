using System.Text.Json.Nodes;
using Causeway.Conformance.Harness.Corpus;

namespace Causeway.Conformance.Harness.Cluster;

/// <summary>RFC 6902 JSON Patch (add, remove, replace, move, copy, test) on a JSON tree.</summary>
public static class JsonPatch
{
    /// <summary>Applies <paramref name="ops"/> to a copy of <paramref name="doc"/>; throws FormatException on a bad op.</summary>
    public static JsonNode? Apply(JsonNode? doc, JsonArray ops)
    {
        var root = doc?.DeepClone();
        foreach (var opNode in ops)
        {
            var op = opNode.Str("op") ?? throw new FormatException("patch operation without op");
            var path = Pointer(opNode.Str("path") ?? throw new FormatException($"{op}: missing path"));
            switch (op)
            {
                case "add": root = Add(root, path, (opNode as JsonObject)!["value"]?.DeepClone()); break;
                case "remove": root = Remove(root, path, out _); break;
                case "replace":
                    root = Remove(root, path, out _);
                    root = Add(root, path, (opNode as JsonObject)!["value"]?.DeepClone());
                    break;
                case "move":
                {
                    var from = Pointer(opNode.Str("from") ?? throw new FormatException("move: missing from"));
                    root = Remove(root, from, out var moved);
                    root = Add(root, path, moved);
                    break;
                }
                case "copy":
                {
                    var from = Pointer(opNode.Str("from") ?? throw new FormatException("copy: missing from"));
                    root = Add(root, path, Get(root, from)?.DeepClone());
                    break;
                }
                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path), (opNode as JsonObject)!["value"]))
                        throw new FormatException($"test failed at {opNode.Str("path")}");
                    break;
                default: throw new FormatException($"unknown patch op '{op}'");
            }
        }
        return root;
    }

    /// <summary>Parses a JSON pointer ("/a/b~1c/0") into unescaped tokens.</summary>
    public static IReadOnlyList<string> Pointer(string pointer)
    {
        if (pointer.Length == 0) return [];
        if (pointer[0] != '/') throw new FormatException($"JSON pointer must start with '/': {pointer}");
        return [.. pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];
    }

    public static JsonNode? Get(JsonNode? root, IReadOnlyList<string> path)
    {
        var cur = root;
        foreach (var t in path)
        {
            cur = cur switch
            {
                JsonObject o => o.TryGetPropertyValue(t, out var v) ? v : throw new FormatException($"path not found: /{string.Join('/', path)}"),
                JsonArray a when int.TryParse(t, out var i) && i >= 0 && i < a.Count => a[i],
                _ => throw new FormatException($"path not found: /{string.Join('/', path)}"),
            };
        }
        return cur;
    }

    private static JsonNode? Add(JsonNode? root, IReadOnlyList<string> path, JsonNode? value)
    {
        if (path.Count == 0) return value;
        var parent = Get(root, path.Take(path.Count - 1).ToArray());
        var last = path[^1];
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a:
                if (last == "-") a.Add(value);
                else if (int.TryParse(last, out var i) && i >= 0 && i <= a.Count) a.Insert(i, value);
                else throw new FormatException($"bad array index '{last}'");
                break;
            default: throw new FormatException($"cannot add below a scalar at /{string.Join('/', path)}");
        }
        return root;
    }

    private static JsonNode? Remove(JsonNode? root, IReadOnlyList<string> path, out JsonNode? removed)
    {
        if (path.Count == 0) { removed = root; return null; }
        var parent = Get(root, path.Take(path.Count - 1).ToArray());
        var last = path[^1];
        switch (parent)
        {
            case JsonObject o:
                if (!o.TryGetPropertyValue(last, out removed)) throw new FormatException($"path not found: /{string.Join('/', path)}");
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count:
                removed = a[i];
                a.RemoveAt(i);
                break;
            default: throw new FormatException($"path not found: /{string.Join('/', path)}");
        }
        return root;
    }
}
