using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;

namespace Causeway.Kubernetes.Api;

/// <summary>
/// The REST calls the controller makes, on the KubernetesClient's configured transport (TLS, client certificates, tokens),
/// with raw JSON bodies so every kind (core, discovery, Gateway API, CRDs) goes through one path.
/// </summary>
public sealed class KubeApi : IDisposable
{
    public const string MergePatch = "application/merge-patch+json";
    public const string ApplyPatch = "application/apply-patch+yaml";

    private readonly k8s.Kubernetes _client;
    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly TimeSpan _requestTimeout;

    public KubeApi(KubernetesClientConfiguration config, TimeSpan? requestTimeout = null)
    {
        // Our pass-through handler goes first in the client's chain; its inner handler is the configured transport.
        var entry = new EntryHandler();
        _client = new k8s.Kubernetes(config, entry);
        _http = new HttpClient(entry, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        _base = new Uri(config.Host.TrimEnd('/') + "/");
        _requestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30);
    }

    public async Task<JsonObject> ListAsync(ResourceType type, string? ns, CancellationToken ct)
    {
        var (status, body) = await SendAsync(HttpMethod.Get, type.CollectionPath(ns), null, null, ct).ConfigureAwait(false);
        Ensure(status, "GET", type.CollectionPath(ns), body);
        return Parse(body);
    }

    /// <summary>GET one object; null when it does not exist.</summary>
    public async Task<JsonObject?> GetAsync(ResourceType type, string? ns, string name, CancellationToken ct)
    {
        var path = type.ObjectPath(ns, name);
        var (status, body) = await SendAsync(HttpMethod.Get, path, null, null, ct).ConfigureAwait(false);
        if (status == HttpStatusCode.NotFound) return null;
        Ensure(status, "GET", path, body);
        return Parse(body);
    }

    public async Task<JsonObject> CreateAsync(ResourceType type, string? ns, JsonObject obj, CancellationToken ct)
    {
        var path = type.CollectionPath(ns);
        var (status, body) = await SendAsync(HttpMethod.Post, path, obj.ToJsonString(), "application/json", ct).ConfigureAwait(false);
        Ensure(status, "POST", path, body);
        return Parse(body);
    }

    public async Task<JsonObject> ReplaceAsync(ResourceType type, string? ns, string name, JsonObject obj, CancellationToken ct, bool status = false)
    {
        var path = type.ObjectPath(ns, name) + (status ? "/status" : "");
        var (code, body) = await SendAsync(HttpMethod.Put, path, obj.ToJsonString(), "application/json", ct).ConfigureAwait(false);
        Ensure(code, "PUT", path, body);
        return Parse(body);
    }

    /// <summary>PATCH an object (or its status subresource) with a merge patch or a server-side apply.</summary>
    public async Task<JsonObject> PatchAsync(ResourceType type, string? ns, string name, JsonObject patch, string contentType, CancellationToken ct,
        bool status = false, string? fieldManager = null, bool force = false)
    {
        var path = type.ObjectPath(ns, name) + (status ? "/status" : "");
        var query = new List<string>();
        if (fieldManager is not null) query.Add("fieldManager=" + Uri.EscapeDataString(fieldManager));
        if (force) query.Add("force=true");
        var full = query.Count == 0 ? path : path + "?" + string.Join('&', query);
        var (code, body) = await SendAsync(HttpMethod.Patch, full, patch.ToJsonString(), contentType, ct).ConfigureAwait(false);
        Ensure(code, "PATCH", path, body);
        return Parse(body);
    }

    public async Task<bool> DeleteAsync(ResourceType type, string? ns, string name, CancellationToken ct)
    {
        var path = type.ObjectPath(ns, name);
        var (code, body) = await SendAsync(HttpMethod.Delete, path, "{\"propagationPolicy\":\"Background\"}", "application/json", ct).ConfigureAwait(false);
        if (code == HttpStatusCode.NotFound) return false;
        Ensure(code, "DELETE", path, body);
        return true;
    }

    /// <summary>
    /// A watch from <paramref name="resourceVersion"/>: events until the server ends the stream or <paramref name="ct"/> fires.
    /// A 410 Gone (as an HTTP status or an ERROR event) is thrown as a <see cref="KubeApiException"/> with status Gone.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(ResourceType type, string? ns, string resourceVersion, TimeSpan serverTimeout,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var path = $"{type.CollectionPath(ns)}?watch=true&allowWatchBookmarks=true&resourceVersion={Uri.EscapeDataString(resourceVersion)}&timeoutSeconds={(int)serverTimeout.TotalSeconds}";
        using var req = new HttpRequestMessage(HttpMethod.Get, new Uri(_base, path.TrimStart('/')));
        await AuthorizeAsync(req, ct).ConfigureAwait(false);
        using var resp = await _http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (!resp.IsSuccessStatusCode)
        {
            var text = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            throw new KubeApiException(resp.StatusCode, "WATCH", path, text);
        }
        await using var stream = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (true)
        {
            var line = await reader.ReadLineAsync(ct).ConfigureAwait(false);
            if (line is null) yield break;
            if (line.Length == 0) continue;
            var node = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("watch event is not an object");
            var evType = node["type"]?.GetValue<string>() ?? "";
            var obj = node["object"] as JsonObject ?? new JsonObject();
            if (evType == "ERROR")
            {
                var code = obj["code"]?.GetValue<int>() ?? 500;
                throw new KubeApiException((HttpStatusCode)code, "WATCH", path, obj["message"]?.GetValue<string>() ?? "");
            }
            node.Remove("object");
            yield return new WatchEvent(evType, obj);
        }
    }

    private async Task<(HttpStatusCode, string)> SendAsync(HttpMethod method, string path, string? body, string? contentType, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_requestTimeout);
        using var req = new HttpRequestMessage(method, new Uri(_base, path.TrimStart('/')));
        if (body is not null)
        {
            req.Content = new StringContent(body, Encoding.UTF8);
            req.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/json");
        }
        req.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        await AuthorizeAsync(req, cts.Token).ConfigureAwait(false);
        using var resp = await _http.SendAsync(req, cts.Token).ConfigureAwait(false);
        return (resp.StatusCode, await resp.Content.ReadAsStringAsync(cts.Token).ConfigureAwait(false));
    }

    private Task AuthorizeAsync(HttpRequestMessage req, CancellationToken ct) =>
        _client.Credentials is { } c ? c.ProcessHttpRequestAsync(req, ct) : Task.CompletedTask;

    private static void Ensure(HttpStatusCode status, string method, string path, string body)
    {
        if ((int)status is < 200 or > 299) throw new KubeApiException(status, method, path, body);
    }

    private static JsonObject Parse(string body) => JsonNode.Parse(body) as JsonObject ?? throw new JsonException("response is not a JSON object");

    private sealed class EntryHandler : DelegatingHandler;

    public void Dispose()
    {
        _http.Dispose();
        _client.Dispose();
    }
}
