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

namespace Causeway.Testing.KubeApi;

/// <summary>
/// An in-process Kubernetes API server on 127.0.0.1, good enough for the controller and for a real <c>kubectl</c>:
/// discovery, list and watch with resourceVersion (replay from an old version, bookmarks, 410 Gone) and selectors,
/// Table responses with CRD printer columns, the status subresource, 409 on stale versions, JSON merge, strategic merge
/// and server-side apply patches (with field ownership), CustomResourceDefinitions that define new resources, and
/// cascading delete; with hooks to break watches. README.md lists what it honours and what it does not.
/// </summary>
public sealed partial class FakeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FakeStore _store = new();
    private readonly ResourceCatalog _catalog = new([.. ResourceType.SnapshotKinds, ResourceType.ServiceAccounts, ResourceType.Deployments, ResourceType.Leases]);
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
    /// <summary>Requests the fake itself failed on (500 Internal Error), with the exception: a bug of the fake.</summary>
    public ConcurrentQueue<string> InternalErrors { get; } = new();

    /// <summary>When set, every request is recorded as <c>METHOD path?query -> code</c> (for diagnosing a client).</summary>
    public ConcurrentQueue<string>? RequestLog { get; set; }

    internal FakeStore Store => _store;

    /// <summary>What the server serves (built-in resources and those of stored CustomResourceDefinitions).</summary>
    public ResourceCatalog Catalog => _catalog;

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

    /// <summary>Writes a test's kubeconfig for this server (one cluster, one user, one context named <c>fake</c>).</summary>
    public string WriteKubeconfig(string path)
    {
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
                server: {Url}
            users:
            - name: tester
              user:
                token: fake-token
            contexts:
            - name: fake
              context:
                cluster: fake
                user: tester
            current-context: fake
            """);
        return path;
    }

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
        var result = _store.Get(type.Key, ns, name) is null
            ? _store.Create(type.Key, ns, o, null)
            : _store.Apply(type.Key, ns, name, o, "kubectl");
        Resync(type.Key);
        return result;
    }

    public JsonObject UpdateStatus(ResourceType type, string? ns, string name, JsonObject status)
    {
        var n = type.Namespaced ? ns ?? "default" : "";
        return _store.Update(type.ToString(), n, name, new JsonObject { ["status"] = status }, statusOnly: true);
    }

    public void Delete(ResourceType type, string? ns, string name) => _store.Delete(type.ToString(), type.Namespaced ? ns ?? "default" : "", name);

    private ServedResource? TypeOf(JsonObject o)
    {
        var (group, _) = KindRegistry.SplitApiVersion(o["apiVersion"]?.GetValue<string>() ?? "");
        var kind = o["kind"]?.GetValue<string>();
        return kind is null ? null : _catalog.FindKind(group, kind);
    }

    /// <summary>After a CustomResourceDefinition changed, serve what the stored ones define.</summary>
    private void Resync(string resource)
    {
        if (resource == FakeStore.CrdResource) _catalog.Sync(_store.List(FakeStore.CrdResource, null).Items);
    }

    public async ValueTask DisposeAsync()
    {
        DropWatches();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
