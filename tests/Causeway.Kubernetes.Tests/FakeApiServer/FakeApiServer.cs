using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Collections.Concurrent;
using Causeway.Distribution.Install;
using Causeway.Kubernetes.Api;
using Causeway.Model.Loading;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Causeway.Kubernetes.Tests.FakeApiServer;

/// <summary>
/// An in-process Kubernetes API server on 127.0.0.1 speaking the REST shapes the controller uses: list and watch with
/// resourceVersion (replay from an old version, bookmarks, 410 Gone), namespaced and cluster-scoped paths of core,
/// discovery, Gateway API, Causeway, Envoy Gateway, apps and coordination resources, the status subresource, 409 on
/// stale versions, merge patch, server-side apply and cascading delete; with hooks to break watches.
/// </summary>
public sealed class FakeApiServer : IAsyncDisposable
{
    private static readonly IReadOnlyList<ResourceType> Served =
    [
        .. ResourceType.SnapshotKinds, ResourceType.ServiceAccounts, ResourceType.Deployments, ResourceType.Leases,
    ];

    private readonly WebApplication _app;
    private readonly FakeStore _store = new();
    private CancellationTokenSource _dropWatches = new();
    private volatile int _stallEpoch;
    private volatile int _holdEvents;
    private volatile int _reverseBatches;
    private int _watchRequests;

    private FakeApiServer(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(1);
    public int WatchRequests => Volatile.Read(ref _watchRequests);

    /// <summary>
    /// When set, every HTTP request (all of them come from the controller under test) is authorized against these RBAC
    /// rules, as the API server would for the controller's ServiceAccount; a request no rule allows gets 403 Forbidden.
    /// </summary>
    public RbacPolicy? Rbac { get; set; }

    /// <summary>Requests refused by <see cref="Rbac"/>: <c>verb group/resource[/sub] ns</c>.</summary>
    public ConcurrentQueue<string> Denied { get; } = new();
    internal FakeStore Store => _store;

    public static async Task<FakeApiServer> StartAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeApiServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync(ct);
        server.Url = app.Urls.First();
        return server;
    }

    public KubernetesClientConfiguration ClientConfiguration() => new() { Host = Url };

    // ---- test hooks ----

    /// <summary>Ends every open watch stream (the client must reconnect).</summary>
    public void DropWatches()
    {
        var old = Interlocked.Exchange(ref _dropWatches, new CancellationTokenSource());
        old.Cancel();
        old.Dispose();
    }

    /// <summary>Compacts history: open watches end and resuming from any older version answers 410 Gone.</summary>
    public void ForceGone()
    {
        _store.Compact();
        DropWatches();
    }

    /// <summary>Open watches go silent forever (connection kept open); new watches work.</summary>
    public void StallWatches() => Interlocked.Increment(ref _stallEpoch);

    /// <summary>Watches stop delivering until <see cref="ReleaseEvents"/>.</summary>
    public void HoldEvents() => _holdEvents = 1;

    /// <summary>Delivers what was held, each watch's batch in reverse order when asked (out of order across objects).</summary>
    public void ReleaseEvents(bool reverse)
    {
        _reverseBatches = reverse ? 1 : 0;
        _holdEvents = 0;
    }

    public void InjectEvent(ResourceType type, string type_, JsonObject obj) =>
        _store.Inject(type.ToString(), type.Namespaced ? obj["metadata"]?["namespace"]?.GetValue<string>() ?? "default" : "", type_, obj);

    // ---- direct access (what kubectl would do) ----

    public JsonObject? Get(ResourceType type, string? ns, string name) => _store.Get(type.ToString(), type.Namespaced ? ns ?? "default" : "", name);

    public IReadOnlyList<JsonObject> List(ResourceType type, string? ns = null) => _store.List(type.ToString(), ns).Items;

    /// <summary>Creates or updates (spec) every object of a YAML/JSON manifest text.</summary>
    public void ApplyManifest(string text)
    {
        foreach (var doc in YamlJson.ReadDocuments(text))
            if (doc.Root is JsonObject o) Upsert(o);
    }

    public JsonObject Upsert(JsonObject o)
    {
        var type = TypeOf(o) ?? throw new InvalidOperationException($"unknown kind {o["kind"]}");
        var ns = type.Namespaced ? o["metadata"]?["namespace"]?.GetValue<string>() ?? "default" : "";
        var name = o["metadata"]!["name"]!.GetValue<string>();
        return _store.Get(type.ToString(), ns, name) is null
            ? _store.Create(type.ToString(), ns, o, null)
            : _store.Apply(type.ToString(), ns, name, o, "kubectl");
    }

    public JsonObject UpdateStatus(ResourceType type, string? ns, string name, JsonObject status)
    {
        var n = type.Namespaced ? ns ?? "default" : "";
        return _store.Update(type.ToString(), n, name, new JsonObject { ["status"] = status }, statusOnly: true);
    }

    public void Delete(ResourceType type, string? ns, string name) => _store.Delete(type.ToString(), type.Namespaced ? ns ?? "default" : "", name);

    private static ResourceType? TypeOf(JsonObject o)
    {
        var (group, _) = KindRegistry.SplitApiVersion(o["apiVersion"]?.GetValue<string>() ?? "");
        var kind = o["kind"]?.GetValue<string>();
        return Served.FirstOrDefault(t => t.Group == group && t.Kind == kind);
    }

    // ---- HTTP ----

    private async Task HandleAsync(HttpContext ctx)
    {
        try
        {
            var route = Parse(ctx.Request.Path.Value ?? "");
            if (route is null) throw new ApiError(404, "NotFound", "the server could not find the requested resource");
            var (type, ns, name, status) = route.Value;
            var resource = type.ToString();
            var nsKey = type.Namespaced ? ns ?? "" : "";
            var method = ctx.Request.Method;
            if (Rbac is { } rbac)
            {
                var verb = method switch
                {
                    "GET" when name is null && ctx.Request.Query["watch"] == "true" => "watch",
                    "GET" when name is null => "list",
                    "GET" => "get",
                    "POST" => "create",
                    "PUT" => "update",
                    "PATCH" => "patch",
                    "DELETE" => "delete",
                    _ => method.ToLowerInvariant(),
                };
                var resourceName = type.Plural + (status ? "/status" : "");
                if (!rbac.Allows(type.Group, resourceName, verb, type.Namespaced ? ns : null))
                {
                    var denied = $"{verb} {(type.Group.Length == 0 ? "core" : type.Group)}/{resourceName} {ns ?? "(cluster)"}";
                    Denied.Enqueue(denied);
                    throw new ApiError(403, "Forbidden", $"{InstallBundle.ControllerUser(rbac.ControllerNamespace)} cannot {denied}");
                }
            }
            if (name is null)
            {
                if (method == "GET" && ctx.Request.Query["watch"] == "true") { await WatchAsync(ctx, type, ns); return; }
                if (method == "GET")
                {
                    var (rv, items) = _store.List(resource, type.Namespaced ? ns : null);
                    await WriteAsync(ctx, 200, new JsonObject
                    {
                        ["apiVersion"] = type.ApiVersion,
                        ["kind"] = type.Kind + "List",
                        ["metadata"] = new JsonObject { ["resourceVersion"] = rv.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                        ["items"] = new JsonArray([.. items]),
                    });
                    return;
                }
                if (method == "POST")
                {
                    var body = await ReadBodyAsync(ctx);
                    var bodyNs = type.Namespaced ? ns ?? body["metadata"]?["namespace"]?.GetValue<string>() ?? "default" : "";
                    await WriteAsync(ctx, 201, _store.Create(resource, bodyNs, body, ctx.Request.Query["fieldManager"].FirstOrDefault()));
                    return;
                }
                throw new ApiError(405, "MethodNotAllowed", method);
            }
            switch (method)
            {
                case "GET":
                    await WriteAsync(ctx, 200, _store.Get(resource, nsKey, name) ?? throw new ApiError(404, "NotFound", $"{resource} \"{name}\" not found"));
                    return;
                case "PUT":
                    await WriteAsync(ctx, 200, _store.Update(resource, nsKey, name, await ReadBodyAsync(ctx), status));
                    return;
                case "PATCH":
                {
                    var contentType = ctx.Request.ContentType ?? "";
                    var body = await ReadBodyAsync(ctx);
                    if (contentType.StartsWith(KubeApi.ApplyPatch, StringComparison.Ordinal))
                    {
                        var manager = ctx.Request.Query["fieldManager"].FirstOrDefault() ?? throw new ApiError(422, "Invalid", "fieldManager is required for apply");
                        if (status) throw new ApiError(415, "UnsupportedMediaType", "apply to status is not supported by the fake server");
                        await WriteAsync(ctx, 200, _store.Apply(resource, nsKey, name, body, manager));
                    }
                    else if (contentType.StartsWith(KubeApi.MergePatch, StringComparison.Ordinal))
                        await WriteAsync(ctx, 200, _store.MergePatch(resource, nsKey, name, body, status));
                    else throw new ApiError(415, "UnsupportedMediaType", contentType);
                    return;
                }
                case "DELETE":
                    await WriteAsync(ctx, 200, _store.Delete(resource, nsKey, name));
                    return;
                default:
                    throw new ApiError(405, "MethodNotAllowed", method);
            }
        }
        catch (ApiError e)
        {
            await WriteAsync(ctx, e.Code, StatusObject(e.Code, e.Reason, e.Message));
        }
        catch (System.Text.Json.JsonException e)
        {
            await WriteAsync(ctx, 400, StatusObject(400, "BadRequest", e.Message));
        }
    }

    private async Task WatchAsync(HttpContext ctx, ResourceType type, string? ns)
    {
        Interlocked.Increment(ref _watchRequests);
        var resource = type.ToString();
        var filterNs = type.Namespaced ? ns : null;
        var rvText = ctx.Request.Query["resourceVersion"].FirstOrDefault();
        var bookmarks = ctx.Request.Query["allowWatchBookmarks"] == "true";
        var timeout = int.TryParse(ctx.Request.Query["timeoutSeconds"].FirstOrDefault(), out var t) ? TimeSpan.FromSeconds(t) : TimeSpan.FromMinutes(30);
        var epoch = _stallEpoch;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _dropWatches.Token);
        cts.CancelAfter(timeout);
        var ct = cts.Token;
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        int position;
        if (string.IsNullOrEmpty(rvText) || rvText == "0")
        {
            // No version: the current state as ADDED events, then changes.
            var (rv, items) = _store.List(resource, filterNs);
            foreach (var item in items) await SendAsync(ctx, "ADDED", item, ct);
            position = _store.PositionAfter(rv);
        }
        else
        {
            var rv = long.Parse(rvText, System.Globalization.CultureInfo.InvariantCulture);
            if (rv < _store.CompactedRv)
            {
                await SendAsync(ctx, "ERROR", StatusObject(410, "Expired", $"too old resource version: {rv} ({_store.CompactedRv})"), CancellationToken.None);
                return;
            }
            position = _store.PositionAfter(rv);
        }
        await ctx.Response.Body.FlushAsync(ct);
        var lastBookmark = Environment.TickCount64;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var changed = _store.Changed;
                if (_stallEpoch != epoch) { await Task.Delay(Timeout.Infinite, ct); return; }
                if (_holdEvents == 0)
                {
                    var batch = _store.EventsFrom(position, resource, filterNs);
                    if (batch.Count > 0)
                    {
                        position = batch[^1].Index + 1;
                        if (_reverseBatches == 1) batch.Reverse();
                        foreach (var (_, e) in batch) await SendAsync(ctx, e.Type, e.Object, ct);
                    }
                    else position = Math.Max(position, _store.LogCount);
                }
                if (bookmarks && Environment.TickCount64 - lastBookmark >= BookmarkInterval.TotalMilliseconds && _holdEvents == 0)
                {
                    lastBookmark = Environment.TickCount64;
                    await SendAsync(ctx, "BOOKMARK", new JsonObject
                    {
                        ["apiVersion"] = type.ApiVersion,
                        ["kind"] = type.Kind,
                        ["metadata"] = new JsonObject { ["resourceVersion"] = _store.CurrentRv.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                    }, ct);
                }
                await Task.WhenAny(changed, Task.Delay(_holdEvents == 1 ? TimeSpan.FromMilliseconds(50) : BookmarkInterval, ct));
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
    }

    private static async Task SendAsync(HttpContext ctx, string type, JsonObject obj, CancellationToken ct)
    {
        var line = new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString() + "\n";
        await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), ct);
        await ctx.Response.Body.FlushAsync(ct);
    }

    /// <summary>(type, namespace, name, status subresource) of a request path; null when not served.</summary>
    private static (ResourceType, string?, string?, bool)? Parse(string path)
    {
        var seg = path.Trim('/').Split('/');
        int rest;
        string group, version;
        if (seg.Length >= 3 && seg[0] == "api") { group = ""; version = seg[1]; rest = 2; }
        else if (seg.Length >= 4 && seg[0] == "apis") { group = seg[1]; version = seg[2]; rest = 3; }
        else return null;
        var r = seg[rest..];
        string? ns = null;
        if (r.Length >= 3 && r[0] == "namespaces" && r[2] != "status") { ns = Uri.UnescapeDataString(r[1]); r = r[2..]; }
        var type = Served.FirstOrDefault(t => t.Group == group && t.Plural == r[0]);
        if (type is null || (type.Namespaced == false && ns is not null)) return null;
        _ = version; // every version of a resource is served from the same storage
        return r.Length switch
        {
            1 => (type, ns, null, false),
            2 => (type, ns, Uri.UnescapeDataString(r[1]), false),
            3 when r[2] == "status" => (type, ns, Uri.UnescapeDataString(r[1]), true),
            _ => null,
        };
    }

    private static JsonObject StatusObject(int code, string reason, string message) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Status",
        ["status"] = "Failure",
        ["code"] = code,
        ["reason"] = reason,
        ["message"] = message,
    };

    private static async Task<JsonObject> ReadBodyAsync(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(ctx.RequestAborted);
        return JsonNode.Parse(text) as JsonObject ?? throw new ApiError(400, "BadRequest", "body is not a JSON object");
    }

    private static async Task WriteAsync(HttpContext ctx, int code, JsonObject body)
    {
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body.ToJsonString(), ctx.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        DropWatches();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
