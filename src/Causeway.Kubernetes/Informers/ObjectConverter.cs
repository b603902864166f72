using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Causeway.Model.Loading;
using Causeway.Model.Objects;
using Microsoft.Extensions.Logging;

namespace Causeway.Kubernetes.Informers;

/// <summary>
/// API objects (JSON) to Causeway model objects, through the same loader as files so typing, defaulting and validation
/// are identical. Conversions are cached by uid and resourceVersion.
/// </summary>
internal sealed class ObjectConverter(IObjectValidator? validator, ILogger log)
{
    private static readonly string[] KeptMetadata = ["name", "namespace", "labels", "annotations", "generation", "resourceVersion", "uid", "creationTimestamp", "deletionTimestamp"];

    private readonly ManifestLoader _loader = new(validator);
    private ConcurrentDictionary<string, KubeObject?> _cache = new();
    private ConcurrentDictionary<string, KubeObject?> _next = new();

    /// <summary>The model object, or null when the object is invalid (logged once per version).</summary>
    public KubeObject? Convert(JsonObject apiObject)
    {
        var m = apiObject["metadata"];
        var kind = apiObject["kind"]?.GetValue<string>() ?? "";
        var ns = m?["namespace"]?.GetValue<string>() ?? "";
        var name = m?["name"]?.GetValue<string>() ?? "";
        var cacheKey = $"{kind}/{ns}/{name}/{m?["uid"]?.GetValue<string>()}/{m?["resourceVersion"]?.GetValue<string>()}";
        if (_cache.TryGetValue(cacheKey, out var hit)) { _next[cacheKey] = hit; return hit; }

        var body = new JsonObject();
        foreach (var (k, v) in apiObject)
            if (k is not ("status" or "metadata")) body[k] = v?.DeepClone();
        var meta = new JsonObject();
        if (m is JsonObject mo)
            foreach (var f in KeptMetadata)
                if (mo[f] is { } v) meta[f] = v.DeepClone();
        body["metadata"] = meta;
        var result = _loader.LoadText(body.ToJsonString(), $"k8s:{kind}/{(ns.Length > 0 ? ns + "/" : "")}{name}");
        KubeObject? obj = result.Objects.Count == 1 ? result.Objects[0] : null;
        if (obj is null)
            foreach (var e in result.Errors)
                log.LogWarning("ignoring invalid {Kind} {Namespace}/{Name}: {Field}: {Message}", kind, ns, name, e.Field, e.Message);
        _cache[cacheKey] = obj;
        _next[cacheKey] = obj;
        return obj;
    }

    /// <summary>Drops cache entries not used since the previous call (call once per snapshot build).</summary>
    public void Sweep()
    {
        _cache = _next;
        _next = new ConcurrentDictionary<string, KubeObject?>();
    }
}
