using System.Globalization;
using System.Text.Json.Nodes;

namespace Causeway.Testing.KubeApi;

/// <summary>One stored event of the fake server's history (what watches replay).</summary>
internal sealed record StoredEvent(long Rv, string Resource, string Namespace, string Type, JsonObject Object);

/// <summary>Thrown by the store; the server turns it into a Kubernetes Status response.</summary>
internal sealed class ApiError(int code, string reason, string message) : Exception(message)
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;
}

/// <summary>
/// The fake API server's storage: objects per resource ("plural.group"), one global resourceVersion counter, the event
/// history watches replay from, and the semantics the controller depends on (generation, status subresource, 409s,
/// merge patch, server-side apply, owner-reference cascading delete).
/// </summary>
internal sealed class FakeStore
{
    public const string NamespacesResource = "namespaces";
    public const string CrdResource = "customresourcedefinitions." + ResourceCatalog.CrdGroup;

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Resource, string Ns, string Name), JsonObject> _objects = [];
    private readonly List<StoredEvent> _log = [];
    private long _rv = 100;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Watches starting before this version get 410 Gone.</summary>
    public long CompactedRv { get; private set; }

    public long CurrentRv { get { lock (_lock) return _rv; } }

    public Task Changed { get { lock (_lock) return _changed.Task; } }

    public (long Rv, List<JsonObject> Items) List(string resource, string? ns)
    {
        lock (_lock)
            return (_rv, [.. _objects.Where(p => p.Key.Resource == resource && (ns is null || p.Key.Ns == ns)).OrderBy(p => p.Key.Ns).ThenBy(p => p.Key.Name).Select(p => (JsonObject)p.Value.DeepClone())]);
    }

    public JsonObject? Get(string resource, string ns, string name)
    {
        lock (_lock) return _objects.TryGetValue((resource, ns, name), out var o) ? (JsonObject)o.DeepClone() : null;
    }

    /// <summary>
    /// The events of <paramref name="resource"/> (in <paramref name="ns"/>) at log positions from <paramref name="from"/>
    /// on, with, read under the same lock, the log's length (where the watcher goes on from) and the version the store
    /// had then (what a bookmark after them may say): an event appended meanwhile is neither skipped nor bookmarked past.
    /// </summary>
    public (List<(int Index, StoredEvent Event)> Events, int End, long Rv) EventsFrom(int from, string resource, string? ns)
    {
        lock (_lock)
        {
            var result = new List<(int, StoredEvent)>();
            for (var i = from; i < _log.Count; i++)
                if (_log[i].Resource == resource && (ns is null || _log[i].Namespace == ns)) result.Add((i, _log[i]));
            return (result, Math.Max(from, _log.Count), _rv);
        }
    }

    /// <summary>The log position of the first event newer than <paramref name="rv"/>.</summary>
    public int PositionAfter(long rv)
    {
        lock (_lock)
        {
            var i = _log.FindIndex(e => e.Rv > rv);
            return i < 0 ? _log.Count : i;
        }
    }

    public JsonObject Create(string resource, string ns, JsonObject body, string? fieldManager, JsonObject? managedEntry = null)
    {
        lock (_lock)
        {
            var name = body["metadata"]?["name"]?.GetValue<string>() ?? throw new ApiError(422, "Invalid", "metadata.name: Required value");
            if (_objects.ContainsKey((resource, ns, name))) throw new ApiError(409, "AlreadyExists", $"{resource} \"{name}\" already exists");
            var o = (JsonObject)body.DeepClone();
            o.Remove("status");
            var meta = Meta(o);
            if (ns.Length > 0) meta["namespace"] = ns;
            meta["uid"] = Guid.NewGuid().ToString();
            meta["generation"] = 1;
            meta["creationTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            meta.Remove("resourceVersion");
            meta.Remove("deletionTimestamp");
            meta.Remove("managedFields");
            if (managedEntry is not null) meta["managedFields"] = new JsonArray(managedEntry);
            else if (fieldManager is not null)
                meta["managedFields"] = new JsonArray(ManagedFields.Entry(fieldManager, "Update", o["apiVersion"]?.GetValue<string>() ?? "", null, DateTimeOffset.UtcNow));
            if (resource == NamespacesResource)
            {
                // The API server labels every Namespace with its own name.
                if (meta["labels"] is not JsonObject labels) meta["labels"] = labels = [];
                labels["kubernetes.io/metadata.name"] = name;
            }
            return Store(resource, ns, name, o, "ADDED");
        }
    }

    /// <summary>PUT (or a patch result): the main resource ignores status; /status changes only status.</summary>
    public JsonObject Update(string resource, string ns, string name, JsonObject body, bool statusOnly, string? fieldManager = null, JsonArray? managedFields = null)
    {
        lock (_lock)
        {
            if (!_objects.TryGetValue((resource, ns, name), out var cur)) throw new ApiError(404, "NotFound", $"{resource} \"{name}\" not found");
            var sentRv = body["metadata"]?["resourceVersion"]?.GetValue<string>();
            var curRv = Meta(cur)["resourceVersion"]!.GetValue<string>();
            if (!string.IsNullOrEmpty(sentRv) && sentRv != curRv)
                throw new ApiError(409, "Conflict", $"Operation cannot be fulfilled on {resource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again");
            JsonObject next;
            if (statusOnly)
            {
                next = (JsonObject)cur.DeepClone();
                if (body["status"] is { } st) next["status"] = st.DeepClone(); else next.Remove("status");
            }
            else
            {
                next = (JsonObject)body.DeepClone();
                if (cur["status"] is { } st) next["status"] = st.DeepClone(); else next.Remove("status");
                var meta = Meta(next);
                var curMeta = Meta(cur);
                foreach (var f in new[] { "uid", "creationTimestamp", "generation", "namespace", "name", "managedFields" })
                    if (curMeta[f] is { } v) meta[f] = v.DeepClone();
                if (resource == NamespacesResource && meta["labels"] is JsonObject nsLabels) nsLabels["kubernetes.io/metadata.name"] = name;
                else if (resource == NamespacesResource) meta["labels"] = new JsonObject { ["kubernetes.io/metadata.name"] = name };
                if (managedFields is not null) meta["managedFields"] = managedFields;
                else if (fieldManager is not null)
                {
                    var mf = meta["managedFields"] as JsonArray ?? [];
                    if (!mf.Any(m => m?["manager"]?.GetValue<string>() == fieldManager))
                        mf.Add(ManagedFields.Entry(fieldManager, "Update", next["apiVersion"]?.GetValue<string>() ?? "", null, DateTimeOffset.UtcNow));
                    meta["managedFields"] = mf;
                }
                if (!JsonNode.DeepEquals(WithoutMetaStatus(next), WithoutMetaStatus(cur)))
                    meta["generation"] = (curMeta["generation"] is { } g ? long.Parse(g.ToJsonString(), CultureInfo.InvariantCulture) : 1) + 1;
            }
            if (JsonNode.DeepEquals(WithoutRv(next), WithoutRv(cur))) return (JsonObject)cur.DeepClone(); // no-op write
            return Store(resource, ns, name, next, "MODIFIED");
        }
    }

    public JsonObject MergePatch(string resource, string ns, string name, JsonObject patch, bool statusOnly, bool strategic = false, string? fieldManager = null)
    {
        lock (_lock)
        {
            var cur = Get(resource, ns, name) ?? throw new ApiError(404, "NotFound", $"{resource} \"{name}\" not found");
            var merged = (JsonObject)(strategic ? StrategicMergePatch.Apply(cur, patch) : ApplyMergePatch(cur, patch))!;
            // The precondition is the version the patch names, not the one it produced.
            Meta(merged)["resourceVersion"] = patch["metadata"]?["resourceVersion"]?.DeepClone() ?? Meta(cur)["resourceVersion"]!.DeepClone();
            return Update(resource, ns, name, merged, statusOnly, fieldManager);
        }
    }

    /// <summary>
    /// Server-side apply: create, or merge the applied configuration in (see <see cref="ManagedFields"/>) after removing
    /// the fields this manager applied last time, no longer applies, and no other applier owns; the manager's field set
    /// is recorded in <c>metadata.managedFields</c>. Conflicts with other managers are not detected (force is implied).
    /// </summary>
    public JsonObject Apply(string resource, string ns, string name, JsonObject applied, string fieldManager)
    {
        lock (_lock)
        {
            var body = (JsonObject)applied.DeepClone();
            body.Remove("status");
            Meta(body).Remove("resourceVersion");
            var fields = ManagedFields.Of(body);
            var entry = ManagedFields.Entry(fieldManager, "Apply", body["apiVersion"]?.GetValue<string>() ?? "", fields, DateTimeOffset.UtcNow);
            var cur = Get(resource, ns, name);
            if (cur is null) return Create(resource, ns, body, null, entry);
            var entries = (Meta(cur)["managedFields"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            bool Mine(JsonObject e) => e["manager"]?.GetValue<string>() == fieldManager && e["operation"]?.GetValue<string>() == "Apply";
            var previous = entries.Where(Mine).SelectMany(e => ManagedFields.FromFieldsV1(e["fieldsV1"])).ToHashSet(StringComparer.Ordinal);
            var others = entries.Where(e => !Mine(e) && e["operation"]?.GetValue<string>() == "Apply")
                .SelectMany(e => ManagedFields.FromFieldsV1(e["fieldsV1"])).ToHashSet(StringComparer.Ordinal);
            var next = (JsonObject)cur.DeepClone();
            foreach (var dropped in previous.Where(p => !fields.Contains(p) && !others.Contains(p)).OrderBy(p => p.Length))
                ManagedFields.Remove(next, dropped);
            var merged = (JsonObject)ManagedFields.Merge(next, body)!;
            Meta(merged).Remove("resourceVersion");
            var managed = new JsonArray([.. entries.Where(e => !Mine(e)).Select(e => e.DeepClone()), entry]);
            var result = Update(resource, ns, name, merged, false, null, managed);
            return result;
        }
    }

    public JsonObject Delete(string resource, string ns, string name, bool cascade = true)
    {
        lock (_lock)
        {
            if (!_objects.Remove((resource, ns, name), out var cur)) throw new ApiError(404, "NotFound", $"{resource} \"{name}\" not found");
            var rv = ++_rv;
            Meta(cur)["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
            Append(new StoredEvent(rv, resource, ns, "DELETED", (JsonObject)cur.DeepClone()));
            // Garbage collection: dependents whose owner is gone go too (cascading).
            var uid = Meta(cur)["uid"]?.GetValue<string>();
            var dependents = _objects.Where(p => p.Value["metadata"]?["ownerReferences"] is JsonArray refs
                                                  && refs.Any(r => r?["uid"]?.GetValue<string>() == uid)).Select(p => p.Key).ToList();
            if (!cascade) dependents.Clear();
            // Deleting a Namespace deletes everything in it.
            if (resource == NamespacesResource) dependents.AddRange(_objects.Keys.Where(k => k.Ns == name));
            foreach (var d in dependents)
                if (_objects.ContainsKey(d)) Delete(d.Resource, d.Ns, d.Name);
            return cur;
        }
    }

    /// <summary>Test hook: an event delivered to watches without changing storage (e.g. a stale or duplicate one).</summary>
    public void Inject(string resource, string ns, string type, JsonObject obj)
    {
        lock (_lock)
        {
            var rv = long.TryParse(obj["metadata"]?["resourceVersion"]?.GetValue<string>(), out var r) ? r : _rv;
            Append(new StoredEvent(rv, resource, ns, type, (JsonObject)obj.DeepClone()));
        }
    }

    /// <summary>Test hook: every version older than now is compacted; watches resuming from them get 410 Gone.</summary>
    public void Compact()
    {
        lock (_lock) CompactedRv = _rv;
    }

    private JsonObject Store(string resource, string ns, string name, JsonObject o, string type)
    {
        if (resource == CrdResource)
        {
            // The API server accepts the names at once and marks the CRD Established.
            JsonObject Cond(string t, string reason) => new() { ["type"] = t, ["status"] = "True", ["reason"] = reason, ["message"] = "", ["lastTransitionTime"] = Meta(o)["creationTimestamp"]?.DeepClone() };
            o["status"] = new JsonObject
            {
                ["acceptedNames"] = o["spec"]?["names"]?.DeepClone(),
                ["conditions"] = new JsonArray(Cond("NamesAccepted", "NoConflicts"), Cond("Established", "InitialNamesAccepted")),
                ["storedVersions"] = new JsonArray([.. (o["spec"]?["versions"] as JsonArray ?? []).Where(v => v?["storage"]?.GetValue<bool>() == true).Select(v => v!["name"]!.DeepClone())]),
            };
        }
        var rv = ++_rv;
        Meta(o)["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
        _objects[(resource, ns, name)] = o;
        Append(new StoredEvent(rv, resource, ns, type, (JsonObject)o.DeepClone()));
        return (JsonObject)o.DeepClone();
    }

    private void Append(StoredEvent e)
    {
        _log.Add(e);
        var old = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
    }

    private static JsonObject Meta(JsonObject o)
    {
        if (o["metadata"] is not JsonObject m) o["metadata"] = m = [];
        return m;
    }

    private static JsonObject WithoutMetaStatus(JsonObject o)
    {
        var c = (JsonObject)o.DeepClone();
        c.Remove("metadata");
        c.Remove("status");
        return c;
    }

    private static JsonObject WithoutRv(JsonObject o)
    {
        var c = (JsonObject)o.DeepClone();
        Meta(c).Remove("resourceVersion");
        return c;
    }

    /// <summary>RFC 7386 JSON merge patch.</summary>
    public static JsonNode? ApplyMergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject p) return patch?.DeepClone();
        var result = target is JsonObject t ? (JsonObject)t.DeepClone() : [];
        foreach (var (k, v) in p)
        {
            if (v is null) result.Remove(k);
            else result[k] = ApplyMergePatch(result[k], v);
        }
        return result;
    }
}
