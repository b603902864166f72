using System.Text;
using System.Text.Json.Nodes;
using Causeway.Conformance.Harness.Assertions;
using Causeway.Conformance.Harness.Cluster;
using Causeway.Conformance.Harness.Corpus;
using Causeway.Conformance.Harness.Requests;
using Causeway.Model.Loading;
using Causeway.Model.Objects;

namespace Causeway.Conformance.Harness.Runner;

/// <summary>How a session is set up.</summary>
public sealed record SessionOptions
{
    public required string CorpusDirectory { get; init; }
    public required Func<GatewayUnderTestOptions, IGatewayUnderTest?> GatewayFactory { get; init; }
    public IEchoLauncher? EchoLauncher { get; init; }
    public IReadOnlySet<string> SupportedFeatures { get; init; } = Runner.SupportedFeatures.All;
    public bool IncludeProvisional { get; init; }
    public TimeSpan StatusTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan BaseReadyTimeout { get; init; } = TimeSpan.FromSeconds(180);
    public TimeSpan ConvergenceTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public Action<string> Log { get; init; } = _ => { };
}

/// <summary>
/// One emulated cluster with the gateway under test: base manifests applied once, tests run one after the other.
/// Implements the API-server side (store, workloads, EndpointSlices) and exposes statuses and certificates.
/// </summary>
public sealed class ConformanceSession : IAsyncDisposable, IStatusView, ICertificateSource
{
    private readonly SessionOptions _options;
    private readonly Dictionary<ObjectKey, long> _generationBeforePatch = [];
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "causeway-conformance-" + Guid.NewGuid().ToString("N")[..8]);
    private IGatewayUnderTest? _gateway;
    private WorkloadManager? _workloads;

    public ConformanceSession(SessionOptions options)
    {
        _options = options;
        Rewriter = ManifestRewriter.Default;
    }

    public SessionOptions Options => _options;
    public ClusterStore Store { get; } = new();
    public EchoLogBook Logs { get; } = new();
    public ManifestRewriter Rewriter { get; }
    public AddressAllocator PodAddresses { get; } = new(HarnessConstants.PodAddressPool);
    public IReadOnlySet<ObjectKey> BaseKeys { get; private set; } = new HashSet<ObjectKey>();

    /// <summary>Why no test can run (adapters not wired, base not ready ...), or null.</summary>
    public string? UnavailableReason { get; private set; }

    /// <summary>True when the gateway exists but setting up the base failed: tests then fail instead of being skipped.</summary>
    public bool SetupFailed { get; private set; }

    public IGatewayUnderTest Gateway => _gateway ?? throw new InvalidOperationException(UnavailableReason);
    public WorkloadManager Workloads => _workloads ?? throw new InvalidOperationException(UnavailableReason);
    public void Log(string line) => _options.Log(line);

    public async Task InitializeAsync(CancellationToken ct)
    {
        _gateway = _options.GatewayFactory(new GatewayUnderTestOptions(HarnessConstants.ControllerName, HarnessConstants.GatewayAddressPool, _options.Log));
        if (_gateway is null) { UnavailableReason = HarnessAdapters.NotWiredReason; return; }
        Directory.CreateDirectory(_scratch);
        _workloads = new WorkloadManager(_options.EchoLauncher, Store, Logs, PodAddresses, _scratch, _options.Log);
        try
        {
            var generated = GeneratedResources.FromFile(Path.Combine(_options.CorpusDirectory, "base", "generated-resources.yaml"));
            var docs = new List<JsonObject> { HarnessGatewayClass() };
            var basePath = Path.Combine(_options.CorpusDirectory, "base", "manifests.yaml");
            if (File.Exists(basePath)) docs.AddRange(Rewriter.ReadAndRewrite(await File.ReadAllTextAsync(basePath, ct)));
            docs.AddRange(generated.Objects);
            var keys = await ApplyAsync(docs, ct);
            BaseKeys = new HashSet<ObjectKey>(Store.Keys);
            _ = keys;
            var namespaces = docs.Where(d => d.Str("kind") == "Namespace").Select(d => d.Obj("metadata").Str("name") ?? "").ToList();
            var waited = await Waits.UntilAsync(() => Readiness.Check(this, namespaces), _options.BaseReadyTimeout, ct);
            if (waited is not null) (UnavailableReason, SetupFailed) = ("base manifests never became ready: " + waited, true);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or IOException)
        {
            UnavailableReason = "setting up the base manifests failed: " + e.Message;
            SetupFailed = _options.EchoLauncher is not null;
        }
    }

    public static JsonObject HarnessGatewayClass() => new()
    {
        ["apiVersion"] = "gateway.networking.k8s.io/v1",
        ["kind"] = "GatewayClass",
        ["metadata"] = new JsonObject { ["name"] = HarnessConstants.GatewayClassName },
        ["spec"] = new JsonObject { ["controllerName"] = HarnessConstants.ControllerName },
    };

    /// <summary>Creates/replaces objects like kubectl apply: stores them, (re)starts Deployments, refreshes EndpointSlices, pushes to the gateway.</summary>
    public async Task<IReadOnlyList<ObjectKey>> ApplyAsync(IEnumerable<JsonObject> docs, CancellationToken ct)
    {
        var all = new List<ObjectKey>();
        var changed = new List<ObjectKey>();
        var deployments = new List<JsonObject>();
        foreach (var doc in docs)
        {
            var (key, didChange) = Store.Upsert(doc);
            all.Add(key);
            if (!didChange) continue;
            changed.Add(key);
            if (key.Kind == "Deployment") deployments.Add(Store.Get(key)!);
        }
        foreach (var d in deployments) await Workloads.StartAsync(d, ct);
        var (sliceUpserts, sliceDeletes) = RefreshEndpointSlices();
        changed.AddRange(sliceUpserts);
        await PushAsync(changed, sliceDeletes, ct);
        return all;
    }

    public async Task DeleteAsync(IEnumerable<ObjectKey> keys, CancellationToken ct)
    {
        var deleted = new List<ObjectKey>();
        foreach (var key in keys)
        {
            if (!Store.Delete(key)) continue;
            deleted.Add(key);
            if (key.Kind == "Deployment") await Workloads.StopAsync(key);
        }
        var (sliceUpserts, sliceDeletes) = RefreshEndpointSlices();
        await PushAsync(sliceUpserts, [.. deleted, .. sliceDeletes], ct);
    }

    /// <summary>Applies a JSON Patch to a stored object (remembering its generation for generationChanged).</summary>
    public async Task PatchAsync(ObjectKey key, JsonArray ops, CancellationToken ct)
    {
        var current = Store.Get(key) ?? throw new InvalidOperationException($"{key} does not exist");
        _generationBeforePatch[key] = Store.Generation(key);
        var patched = JsonPatch.Apply(current, ops) as JsonObject ?? throw new FormatException("patch removed the whole object");
        await ApplyAsync([patched], ct);
    }

    private (List<ObjectKey> Upserts, List<ObjectKey> Deletes) RefreshEndpointSlices()
    {
        var slices = Store.OfKind("EndpointSlice").ToList();
        var declared = new HashSet<(string, string)>(slices
            .Where(s => s.Obj("metadata").Obj("labels").Str(EndpointSliceSynthesizer.ManagedByLabel) != EndpointSliceSynthesizer.ManagedBy)
            .Select(s => (s.Obj("metadata").Str("namespace") ?? "default", s.Obj("metadata").Obj("labels").Str("kubernetes.io/service-name") ?? "")));
        var wanted = EndpointSliceSynthesizer.Synthesize(Store.OfKind("Service").ToList(), Workloads.Pods, declared);
        var upserts = new List<ObjectKey>();
        var wantedKeys = new HashSet<ObjectKey>();
        foreach (var s in wanted)
        {
            var (key, changed) = Store.Upsert(s);
            wantedKeys.Add(key);
            if (changed) upserts.Add(key);
        }
        var deletes = slices
            .Where(s => s.Obj("metadata").Obj("labels").Str(EndpointSliceSynthesizer.ManagedByLabel) == EndpointSliceSynthesizer.ManagedBy)
            .Select(ClusterStore.KeyOf).Where(k => !wantedKeys.Contains(k)).ToList();
        foreach (var k in deletes) Store.Delete(k);
        return (upserts, deletes);
    }

    private async Task PushAsync(IReadOnlyList<ObjectKey> upserts, IReadOnlyList<ObjectKey> deletes, CancellationToken ct)
    {
        var known = deletes.Where(k => KindRegistry.All.Any(i => i.Kind == k.Kind)).Distinct().ToList();
        if (known.Count > 0) await Gateway.DeleteAsync(known, ct);
        if (upserts.Count == 0) return;
        var typed = Store.Typed(upserts.Distinct());
        if (!typed.Ok)
            throw new FormatException("objects rejected by the loader: " + string.Join("; ", typed.Errors.Select(e => e.ToString())));
        if (typed.Objects.Count > 0) await Gateway.ApplyAsync(typed.Objects, ct);
    }

    // IStatusView
    public JsonObject? Status(ObjectKey key) => _gateway?.GetStatus(key);
    public long Generation(ObjectKey key) => Store.Generation(key);
    public long? GenerationBeforePatch(ObjectKey key) => _generationBeforePatch.TryGetValue(key, out var g) ? g : null;

    // ICertificateSource
    public IReadOnlyDictionary<string, string>? Secret(string ns, string name)
    {
        var doc = Store.Get(new ObjectKey("Secret", ns, name));
        if (doc is null) return null;
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in doc.Obj("data") ?? []) data[k] = Encoding.UTF8.GetString(Convert.FromBase64String(Node.AsString(v) ?? ""));
        foreach (var (k, v) in doc.Obj("stringData") ?? []) data[k] = Node.AsString(v) ?? "";
        return data;
    }

    public IReadOnlyDictionary<string, string>? ConfigMap(string ns, string name) =>
        Store.Get(new ObjectKey("ConfigMap", ns, name))?.Obj("data")?.ToDictionary(kv => kv.Key, kv => Node.AsString(kv.Value) ?? "");

    public async ValueTask DisposeAsync()
    {
        if (_workloads is not null) await _workloads.DisposeAsync();
        if (_gateway is not null) await _gateway.DisposeAsync();
        try { if (Directory.Exists(_scratch)) Directory.Delete(_scratch, true); }
        catch (IOException) { }
    }
}
