using System.Globalization;
using System.Text.Json.Nodes;
using Causeway.Kubernetes.Status;

namespace Causeway.Kubernetes.Tests.FakeApiServer;

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

    /// <summary>Events after log position <paramref name="from"/> (a position, not a version).</summary>
    public List<(int Index, StoredEvent Event)> EventsFrom(int from, string resource, string? ns)
    {
        lock (_lock)
        {
            var result = new List<(int, StoredEvent)>();
            for (var i = from; i < _log.Count; i++)
                if (_log[i].Resource == resource && (ns is null || _log[i].Namespace == ns)) result.Add((i, _log[i]));
            return result;
        }
    }

    public int LogCount { get { lock (_lock) return _log.Count; } }

    /// <summary>The log position of the first event newer than <paramref name="rv"/>.</summary>
    public int PositionAfter(long rv)
    {
        lock (_lock)
        {
            var i = _log.FindIndex(e => e.Rv > rv);
            return i < 0 ? _log.Count : i;
        }
    }

    public JsonObject Create(string resource, string ns, JsonObject body, string? fieldManager)
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
            if (fieldManager is not null) meta["managedFields"] = new JsonArray(new JsonObject { ["manager"] = fieldManager, ["operation"] = "Apply" });
            return Store(resource, ns, name, o, "ADDED");
        }
    }

    /// <summary>PUT (or a patch result): the main resource ignores status; /status changes only status.</summary>
    public JsonObject Update(string resource, string ns, string name, JsonObject body, bool statusOnly, string? fieldManager = null)
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
                if (fieldManager is not null)
                {
                    var mf = meta["managedFields"] as JsonArray ?? [];
                    if (!mf.Any(m => m?["manager"]?.GetValue<string>() == fieldManager))
                        mf.Add(new JsonObject { ["manager"] = fieldManager, ["operation"] = "Apply" });
                    meta["managedFields"] = mf;
                }
                if (StatusMerge.Canonical(WithoutMetaStatus(next)) != StatusMerge.Canonical(WithoutMetaStatus(cur)))
                    meta["generation"] = (curMeta["generation"] is { } g ? long.Parse(g.ToJsonString(), CultureInfo.InvariantCulture) : 1) + 1;
            }
            if (StatusMerge.Canonical(WithoutRv(next)) == StatusMerge.Canonical(WithoutRv(cur))) return (JsonObject)cur.DeepClone(); // no-op write
            return Store(resource, ns, name, next, "MODIFIED");
        }
    }

    public JsonObject MergePatch(string resource, string ns, string name, JsonObject patch, bool statusOnly)
    {
        lock (_lock)
        {
            var cur = Get(resource, ns, name) ?? throw new ApiError(404, "NotFound", $"{resource} \"{name}\" not found");
            var merged = (JsonObject)ApplyMergePatch(cur, patch)!;
            // The precondition is the version the patch names, not the one it produced.
            Meta(merged)["resourceVersion"] = patch["metadata"]?["resourceVersion"]?.DeepClone() ?? Meta(cur)["resourceVersion"]!.DeepClone();
            return Update(resource, ns, name, merged, statusOnly);
        }
    }

    /// <summary>Server-side apply, simplified: create, or merge the applied configuration in, recording the field manager.</summary>
    public JsonObject Apply(string resource, string ns, string name, JsonObject applied, string fieldManager)
    {
        lock (_lock)
        {
            var cur = Get(resource, ns, name);
            if (cur is null) return Create(resource, ns, applied, fieldManager);
            var body = (JsonObject)applied.DeepClone();
            body.Remove("status");
            Meta(body).Remove("resourceVersion");
            var merged = (JsonObject)ApplyMergePatch(cur, body)!;
            Meta(merged).Remove("resourceVersion");
            return Update(resource, ns, name, merged, false, fieldManager);
        }
    }

    public JsonObject Delete(string resource, string ns, string name)
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
            foreach (var d in dependents) Delete(d.Resource, d.Ns, d.Name);
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
