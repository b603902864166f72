using System.Globalization;
using System.Text.Json.Nodes;

namespace Causeway.Testing.KubeApi;

/// <summary>
/// Server-side apply field ownership, in the API server's <c>FieldsV1</c> shape: the set of fields an applied
/// configuration sets (<c>f:name</c> per map key; <c>k:{"name":"x"}</c> plus <c>.</c> per item of a list whose items all
/// carry a distinct <c>name</c>, treated as an associative list; every other list atomic), the removal of fields a
/// manager stopped applying, and the apply merge itself.
/// </summary>
internal static class ManagedFields
{
    private const char Sep = '\u001f';

    // Set by the server, never owned by an applier.
    private static readonly HashSet<string> ServerMetadata = ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp"];

    /// <summary>Every leaf field path the applied configuration sets.</summary>
    public static HashSet<string> Of(JsonObject applied)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (k, v) in applied)
        {
            if (k is "apiVersion" or "kind" or "status" || v is null) continue;
            if (k == "metadata" && v is JsonObject meta)
            {
                foreach (var (mk, mv) in meta)
                    if (!ServerMetadata.Contains(mk) && mv is not null) Collect(mv, "f:metadata" + Sep + "f:" + mk, set);
                continue;
            }
            Collect(v, "f:" + k, set);
        }
        return set;
    }

    private static void Collect(JsonNode node, string path, HashSet<string> set)
    {
        if (node is JsonObject o && o.Count > 0)
        {
            foreach (var (k, v) in o)
                if (v is not null) Collect(v, path + Sep + "f:" + k, set);
        }
        else if (node is JsonArray a && KeyOf(a) is { } key)
        {
            foreach (var item in a.OfType<JsonObject>())
            {
                var itemPath = path + Sep + ItemSegment(key, item);
                set.Add(itemPath + Sep + ".");
                foreach (var (k, v) in item)
                    if (v is not null) Collect(v, itemPath + Sep + "f:" + k, set);
            }
        }
        else set.Add(path);
    }

    /// <summary>The merge key of an associative list ("name"), or null when the list is atomic.</summary>
    public static string? KeyOf(JsonArray a)
    {
        if (a.Count == 0 || !a.All(i => i is JsonObject o && o["name"] is JsonValue)) return null;
        var names = a.Select(i => SimpleJsonPath.Text(i!["name"])).ToList();
        return names.Distinct().Count() == names.Count ? "name" : null;
    }

    private static string ItemSegment(string key, JsonObject item) =>
        "k:" + new JsonObject { [key] = item[key]!.DeepClone() }.ToJsonString();

    /// <summary>
    /// Removes one leaf path from <paramref name="obj"/> (a <c>.</c> leaf removes the whole list item); maps left empty
    /// below the top level go too, as they were only there to hold what was removed.
    /// </summary>
    public static void Remove(JsonObject obj, string path)
    {
        var segments = path.Split(Sep);
        JsonNode? node = obj;
        var chain = new List<(JsonNode Container, JsonNode Child)>();
        for (var i = 0; i < segments.Length && node is not null; i++)
        {
            var s = segments[i];
            JsonNode? next;
            if (s == ".")
            {
                if (chain.Count > 0 && chain[^1].Container is JsonArray items) items.Remove(node);
                break;
            }
            if (s.StartsWith("f:", StringComparison.Ordinal) && node is JsonObject o)
            {
                if (i == segments.Length - 1) { o.Remove(s[2..]); break; }
                next = o[s[2..]];
            }
            else if (s.StartsWith("k:", StringComparison.Ordinal) && node is JsonArray a && JsonNode.Parse(s[2..]) is JsonObject keyObj)
            {
                var (k, v) = keyObj.First();
                next = a.OfType<JsonObject>().FirstOrDefault(it => SimpleJsonPath.Text(it[k]) == SimpleJsonPath.Text(v));
            }
            else return;
            if (next is not null) chain.Add((node, next));
            node = next;
        }
        // Prune maps emptied by the removal (not the object's top-level fields).
        for (var i = chain.Count - 1; i >= 1; i--)
        {
            var (container, child) = chain[i];
            if (child is not JsonObject { Count: 0 }) break;
            if (container is JsonObject co) co.Remove(co.First(p => ReferenceEquals(p.Value, child)).Key);
            else if (container is JsonArray ca) ca.Remove(child);
        }
    }

    /// <summary>The apply merge: maps merge, associative lists merge item by item, atomic lists and scalars are replaced.</summary>
    public static JsonNode? Merge(JsonNode? current, JsonNode? applied)
    {
        if (applied is JsonObject p)
        {
            var result = current is JsonObject c ? (JsonObject)c.DeepClone() : [];
            foreach (var (k, v) in p) result[k] = v is null ? null : Merge(result[k], v);
            return result;
        }
        if (applied is JsonArray pa && current is JsonArray ca && KeyOf(pa) is { } key)
        {
            var result = new JsonArray();
            var used = new HashSet<JsonNode>(ReferenceEqualityComparer.Instance);
            foreach (var item in pa.OfType<JsonObject>())
            {
                var existing = ca.OfType<JsonObject>().FirstOrDefault(i => SimpleJsonPath.Text(i[key]) == SimpleJsonPath.Text(item[key]));
                if (existing is not null) used.Add(existing);
                result.Add(Merge(existing, item));
            }
            foreach (var rest in ca.Where(i => i is not null && !used.Contains(i))) result.Add(rest!.DeepClone());
            return result;
        }
        return applied?.DeepClone();
    }

    /// <summary>The <c>fieldsV1</c> tree of a path set.</summary>
    public static JsonObject ToFieldsV1(IEnumerable<string> paths)
    {
        var root = new JsonObject();
        foreach (var path in paths.Order(StringComparer.Ordinal))
        {
            var node = root;
            foreach (var s in path.Split(Sep))
            {
                if (node[s] is not JsonObject child) node[s] = child = [];
                node = child;
            }
        }
        return root;
    }

    /// <summary>The leaf paths of a <c>fieldsV1</c> tree.</summary>
    public static HashSet<string> FromFieldsV1(JsonNode? tree)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        void Walk(JsonObject n, string prefix)
        {
            foreach (var (k, v) in n)
            {
                var path = prefix.Length == 0 ? k : prefix + Sep + k;
                if (v is JsonObject child && child.Count > 0) Walk(child, path);
                else set.Add(path);
            }
        }
        if (tree is JsonObject t) Walk(t, "");
        return set;
    }

    public static JsonObject Entry(string manager, string operation, string apiVersion, IEnumerable<string>? fields, DateTimeOffset now)
    {
        var e = new JsonObject
        {
            ["manager"] = manager,
            ["operation"] = operation,
            ["apiVersion"] = apiVersion,
            ["time"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        if (fields is not null)
        {
            e["fieldsType"] = "FieldsV1";
            e["fieldsV1"] = ToFieldsV1(fields);
        }
        return e;
    }
}
