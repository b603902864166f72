using System.Globalization;
using System.Text.Json.Nodes;
using Causeway.Conformance.Harness.Corpus;
using Causeway.Model.Loading;
using Causeway.Model.Objects;

namespace Causeway.Conformance.Harness.Cluster;

/// <summary>
/// The emulated API server's storage: every object as JSON, with the metadata the API server maintains
/// (generation bumped on spec changes, creationTimestamp, resourceVersion, uid). Not thread-safe: one test at a time.
/// </summary>
public sealed class ClusterStore(TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<ObjectKey, JsonObject> _objects = [];
    private readonly Dictionary<ObjectKey, JsonObject> _firstApplied = [];
    private long _resourceVersion;

    public IEnumerable<ObjectKey> Keys => _objects.Keys;

    public static ObjectKey KeyOf(JsonObject doc)
    {
        var kind = doc.Str("kind") ?? "";
        var group = (doc.Str("apiVersion") ?? "").Contains('/') ? doc.Str("apiVersion")!.Split('/')[0] : "";
        var ns = doc.Obj("metadata").Str("namespace");
        var clusterScoped = IsClusterScoped(group, kind);
        return new ObjectKey(kind, clusterScoped ? "" : string.IsNullOrEmpty(ns) ? "default" : ns, doc.Obj("metadata").Str("name") ?? "");
    }

    public static bool IsClusterScoped(string group, string kind) =>
        KindRegistry.Find(group, kind)?.ClusterScoped
        ?? kind is "Namespace" or "ClusterRole" or "ClusterRoleBinding" or "CustomResourceDefinition" or "Node" or "GatewayClass";

    /// <summary>Creates or replaces an object; returns its key and whether anything changed.</summary>
    public (ObjectKey Key, bool Changed) Upsert(JsonObject input)
    {
        var doc = (JsonObject)input.DeepClone();
        doc.Remove("status");
        var key = KeyOf(doc);
        if (doc["metadata"] is not JsonObject meta) doc["metadata"] = meta = [];
        if (key.Namespace.Length > 0) meta["namespace"] = key.Namespace;
        if (_objects.TryGetValue(key, out var existing))
        {
            var oldMeta = existing.Obj("metadata")!;
            var generation = oldMeta.Long("generation") ?? 1;
            if (!JsonNode.DeepEquals(WithoutMetadata(existing), WithoutMetadata(doc))) generation++;
            else if (JsonNode.DeepEquals(UserMetadata(existing), UserMetadata(doc))) return (key, false);
            meta["generation"] = generation;
            meta["creationTimestamp"] = oldMeta["creationTimestamp"]?.DeepClone();
            meta["uid"] = oldMeta["uid"]?.DeepClone();
        }
        else
        {
            meta["generation"] = 1;
            meta["creationTimestamp"] = _time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            meta["uid"] = Guid.NewGuid().ToString();
            _firstApplied[key] = (JsonObject)doc.DeepClone();
        }
        meta["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        _objects[key] = doc;
        return (key, true);
    }

    public bool Delete(ObjectKey key)
    {
        _firstApplied.Remove(key);
        return _objects.Remove(key);
    }

    public JsonObject? Get(ObjectKey key) => _objects.TryGetValue(key, out var o) ? (JsonObject)o.DeepClone() : null;

    /// <summary>The object as first created (before any patch), for "&lt;original ...&gt;" placeholders.</summary>
    public JsonObject? Original(ObjectKey key) => _firstApplied.TryGetValue(key, out var o) ? (JsonObject)o.DeepClone() : null;

    public long Generation(ObjectKey key) => _objects.TryGetValue(key, out var o) ? o.Obj("metadata").Long("generation") ?? 1 : 0;

    public IEnumerable<JsonObject> OfKind(string kind) => _objects.Where(kv => kv.Key.Kind == kind).Select(kv => kv.Value);

    /// <summary>Finds an object by kind/namespace/name whatever the namespace defaulting (cluster-scoped kinds ignore ns).</summary>
    public ObjectKey? Find(string kind, string? ns, string name)
    {
        foreach (var k in _objects.Keys)
            if (k.Kind == kind && k.Name == name && (k.Namespace.Length == 0 || k.Namespace == (string.IsNullOrEmpty(ns) ? "default" : ns)))
                return k;
        return null;
    }

    /// <summary>Typed objects for the given keys (kinds Causeway reads); raw documents and load errors are reported separately.</summary>
    public LoadResult Typed(IEnumerable<ObjectKey> keys)
    {
        var items = new JsonArray();
        foreach (var k in keys)
            if (_objects.TryGetValue(k, out var o))
                items.Add(o.DeepClone());
        var list = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = items };
        return new ManifestLoader().LoadText(list.ToJsonString(), "<conformance>");
    }

    private static JsonObject WithoutMetadata(JsonObject o)
    {
        var c = (JsonObject)o.DeepClone();
        c.Remove("metadata");
        c.Remove("status");
        return c;
    }

    private static JsonObject UserMetadata(JsonObject o)
    {
        var m = (JsonObject)(o.Obj("metadata")?.DeepClone() ?? new JsonObject());
        foreach (var k in new[] { "generation", "creationTimestamp", "uid", "resourceVersion" }) m.Remove(k);
        return m;
    }
}
