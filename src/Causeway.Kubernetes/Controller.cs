using System.Collections.Immutable;
using System.Threading.Channels;
using Causeway.Kubernetes.Api;
using Causeway.Kubernetes.Informers;
using Causeway.Kubernetes.Infrastructure;
using Causeway.Kubernetes.Leader;
using Causeway.Kubernetes.Status;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Translation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Causeway.Kubernetes;

/// <summary>
/// <c>causeway controller</c>: informers keep a copy of every kind of the resource snapshot; any change marks the
/// snapshot dirty and one coalesced translation follows (level-triggered). The leader (Lease) then applies each served
/// Gateway's proxy infrastructure and writes the statuses that changed.
/// </summary>
public sealed class Controller : IAsyncDisposable
{
    private readonly ControllerOptions _options;
    private readonly ILogger _log;
    private readonly KubeApi _api;
    private readonly List<Informer> _informers = [];
    private readonly ObjectConverter _converter;
    private readonly LeaderElector _elector;
    private readonly StatusWriter _status;
    private readonly InfraApplier _infra;
    private readonly ProxyCredentialsApplier _credentials;
    private readonly HashSet<string> _published = new(StringComparer.Ordinal);
    private ControllerDistribution? _distribution;
    private ControllerDistribution? _publishedTo;
    private ImmutableHashSet<string> _pending = ImmutableHashSet<string>.Empty;
    private readonly Channel<bool> _dirty = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly List<Task> _tasks = [];
    private CancellationTokenSource? _cts;
    private ImmutableDictionary<ObjectKey, object> _previous = ImmutableDictionary<ObjectKey, object>.Empty;
    private volatile TranslationResult? _last;
    private int _reconciles;
    private int _fullPending = 1;
    private int _endpointRefreshes;
    private long _dirtySince;

    public Controller(ControllerOptions options, ILoggerFactory? loggerFactory = null)
    {
        _options = options;
        var lf = loggerFactory ?? NullLoggerFactory.Instance;
        _log = lf.CreateLogger<Controller>();
        _api = new KubeApi(options.BuildClientConfiguration());
        _converter = new ObjectConverter(options.Validator, _log);
        foreach (var type in ResourceType.SnapshotKinds)
        {
            var namespaces = type.Namespaced && options.WatchNamespaces.Length > 0 ? options.WatchNamespaces.Select(n => (string?)n) : [null];
            foreach (var ns in namespaces)
            {
                Action onChange = type == ResourceType.EndpointSlices ? MarkEndpointsDirty : MarkDirty;
                var inf = new Informer(_api, type, ns, options, onChange, lf.CreateLogger<Informer>());
                _informers.Add(inf);
            }
        }
        // Proxy Services may live in an infrastructure namespace outside the watched ones: watch it too.
        var services = _informers.First(i => i.Type == ResourceType.Services);
        if (options.WatchNamespaces.Length > 0 && options.InfrastructureNamespace is { } infraNs && !options.WatchNamespaces.Contains(infraNs))
        {
            services = new Informer(_api, ResourceType.Services, infraNs, options, MarkDirty, lf.CreateLogger<Informer>());
            _informers.Add(services);
        }
        _elector = new LeaderElector(_api, options, OnLeadershipChanged, lf.CreateLogger<LeaderElector>());
        _status = new StatusWriter(_api, FindInformer, options.ControllerNames[0], lf.CreateLogger<StatusWriter>(), options.Metrics);
        _infra = new InfraApplier(_api, options, [.. _informers.Where(i => i.Type == ResourceType.Services)], lf.CreateLogger<InfraApplier>());
        _credentials = new ProxyCredentialsApplier(_api, options, () => Volatile.Read(ref _distribution), lf.CreateLogger<ProxyCredentialsApplier>());
        // An ACK (or NACK) from a proxy can change a Gateway's Programmed condition: translate again.
        AttachDistribution(options.Distribution);
    }

    /// <summary>True while this replica holds the Lease (only the leader writes status and infrastructure).</summary>
    public bool IsLeader => _elector.IsLeader;

    /// <summary>True when every informer has listed once.</summary>
    public bool Synced => _informers.All(i => i.Synced);

    /// <summary>The latest translation (null before the first).</summary>
    public TranslationResult? LastResult => _last;

    /// <summary>Number of translations done so far.</summary>
    public int Reconciles => Volatile.Read(ref _reconciles);

    /// <summary>Status writes and infrastructure applies so far (both only as leader).</summary>
    public int StatusWrites => _status.Writes;
    public int InfrastructureApplies => _infra.Applies;

    /// <summary>Gateways (<c>ns/name</c>) whose proxies have not acknowledged the published configuration yet.</summary>
    public ImmutableHashSet<string> PendingGateways => Volatile.Read(ref _pending);

    /// <summary>Proxy credential Secrets issued so far (only as leader).</summary>
    public int CredentialsIssued => _credentials.Issued;

    public Task StartAsync(CancellationToken ct)
    {
        if (_cts is not null) throw new InvalidOperationException("the controller is already started");
        _cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var token = _cts.Token;
        foreach (var inf in _informers) _tasks.Add(Task.Run(() => inf.RunAsync(token), CancellationToken.None));
        _tasks.Add(Task.Run(() => _elector.RunAsync(token), CancellationToken.None));
        _tasks.Add(Task.Run(() => LoopAsync(token), CancellationToken.None));
        _tasks.Add(Task.Run(() => ResyncAsync(token), CancellationToken.None));
        _log.LogInformation("controller {Identity} started (controller names {Names})", _options.Identity, string.Join(", ", _options.ControllerNames));
        return Task.CompletedTask;
    }

    /// <summary>Stops watching and writing, and releases the Lease when held.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        if (_cts is null) return;
        await _cts.CancelAsync().ConfigureAwait(false);
        try { await Task.WhenAll(_tasks).WaitAsync(ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        await _elector.ReleaseAsync(ct).ConfigureAwait(false);
        _tasks.Clear();
    }

    /// <summary>Runs until <paramref name="ct"/> fires, then stops (what <c>causeway controller</c> does).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await StartAsync(ct).ConfigureAwait(false);
        try { await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await StopAsync(stop.Token).ConfigureAwait(false);
    }

    private Informer? FindInformer(string kind, string ns) =>
        _informers.FirstOrDefault(i => i.Type.Kind == kind && (i.Namespace is null || i.Namespace == ns));

    /// <summary>Raised (on the Lease's thread) when this replica gains (true) or loses (false) leadership.</summary>
    public event Action<bool>? LeadershipChanged;

    /// <summary>
    /// Sets (or, with null, removes) the distribution server this replica publishes to; e.g. <c>causeway controller</c>
    /// serves the proxies only while it is the leader, so the ACKs gating Programmed are the ones the leader sees.
    /// </summary>
    public void AttachDistribution(ControllerDistribution? distribution)
    {
        var old = Interlocked.Exchange(ref _distribution, distribution);
        if (ReferenceEquals(old, distribution)) return;
        if (old is not null) old.Server.Acknowledged -= OnAcknowledged;
        if (distribution is not null) distribution.Server.Acknowledged += OnAcknowledged;
        MarkDirty();
    }

    private void OnAcknowledged(object? sender, Causeway.Distribution.Server.ProxyAckEventArgs e) => MarkDirty();

    private void MarkDirty()
    {
        Volatile.Write(ref _fullPending, 1);
        MarkChangeObserved();
        _dirty.Writer.TryWrite(true);
    }

    /// <summary>The first change since the last reconcile starts the propagation clock (<c>causeway_config_propagation_seconds</c>).</summary>
    private void MarkChangeObserved() => Interlocked.CompareExchange(ref _dirtySince, System.Diagnostics.Stopwatch.GetTimestamp(), 0);

    /// <summary>An EndpointSlice changed: unless something else changed too, only backend endpoints are refreshed.</summary>
    private void MarkEndpointsDirty()
    {
        MarkChangeObserved();
        _dirty.Writer.TryWrite(true);
    }

    private void OnLeadershipChanged(bool leader)
    {
        if (leader)
        {
            _infra.Reset();
            _credentials.Reset();
        }
        LeadershipChanged?.Invoke(leader);
        MarkDirty();
    }

    private async Task ResyncAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(_options.ResyncPeriod, ct).ConfigureAwait(false);
                MarkDirty();
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        var backoff = _options.BackoffInitial;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await _dirty.Reader.ReadAsync(ct).ConfigureAwait(false);
                await Task.Delay(_options.Debounce, ct).ConfigureAwait(false);
                _dirty.Reader.TryRead(out _);
                if (!Synced) continue; // the last informer to sync marks dirty again
                var since = Interlocked.Exchange(ref _dirtySince, 0);
                try
                {
                    await ReconcileAsync(ct).ConfigureAwait(false);
                    backoff = _options.BackoffInitial;
                    _options.Metrics?.Reloaded(true, Reconciles + EndpointRefreshes);
                    if (since != 0) _options.Metrics?.Propagation.ObserveTicks(System.Diagnostics.Stopwatch.GetTimestamp() - since);
                }
                catch (Exception e) when (e is KubeApiException or HttpRequestException or IOException or TimeoutException
                                          || (e is OperationCanceledException && !ct.IsCancellationRequested))
                {
                    _log.LogWarning("reconcile failed: {Error}; retrying in {Delay}", e.Message, backoff);
                    _options.Metrics?.Reloaded(false, 0);
                    if (since != 0) Interlocked.CompareExchange(ref _dirtySince, since, 0); // the retry still propagates that change
                    _ = Task.Delay(backoff, ct).ContinueWith(_ => MarkDirty(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                    backoff = TimeSpan.FromTicks(Math.Min(_options.BackoffMax.Ticks, backoff.Ticks * 2));
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (ChannelClosedException) { }
    }

    private async Task ReconcileAsync(CancellationToken ct)
    {
        var full = Interlocked.Exchange(ref _fullPending, 0) == 1 || _last is null;
        if (!full)
        {
            RefreshEndpoints();
            return;
        }
        var snapshot = CurrentSnapshot();
        _converter.Sweep();
        var services = _informers.Where(i => i.Type == ResourceType.Services).ToList();
        var assigned = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var s in services)
            foreach (var (k, v) in InfraApplier.AssignedAddresses(snapshot, s, _options)) assigned.TryAdd(k, v);
        var translatorOptions = new TranslatorOptions
        {
            ControllerNames = _options.ControllerNames,
            Now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
            PreviousStatuses = _previous,
            AssignedAddresses = assigned.ToImmutableDictionary(p => p.Key, p => p.Value.ToImmutableArray(), StringComparer.Ordinal),
            AddressesFromInfrastructure = true,
            PendingGateways = _pending,
            GlobalRateLimitBackend = _options.ProxyRateLimit is { Configured: true },
        };
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = Translator.Translate(snapshot, translatorOptions);
        _options.Metrics?.TranslateDuration.ObserveTicks(System.Diagnostics.Stopwatch.GetTimestamp() - started);
        if (Volatile.Read(ref _distribution) is { } dist)
        {
            // Every replica feeds the proxies connected to it; Programmed waits for their ACK of the published version.
            var pending = Publish(dist, result);
            if (!pending.SetEquals(_pending))
            {
                Volatile.Write(ref _pending, pending);
                result = Translator.Translate(snapshot, translatorOptions with { PendingGateways = pending });
            }
        }
        else if (_options.ProgrammedRequiresProxies)
        {
            // No distribution attached (yet): no proxy can have acknowledged anything.
            var pending = result.Gateways.Select(g => g.Name).ToImmutableHashSet(StringComparer.Ordinal);
            if (!pending.SetEquals(_pending))
            {
                Volatile.Write(ref _pending, pending);
                result = Translator.Translate(snapshot, translatorOptions with { PendingGateways = pending });
            }
        }
        _previous = result.Statuses.ToImmutableDictionary(s => s.Key, s => s.Status);
        _last = result;
        Interlocked.Increment(ref _reconciles);
        if (!_elector.IsLeader) return;
        await _credentials.EnsureAsync(result, snapshot, ct).ConfigureAwait(false);
        await _infra.ApplyAsync(result, snapshot, ct).ConfigureAwait(false);
        await _status.WriteAsync(result, () => _elector.IsLeader, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The EndpointSlice fast path: no retranslation, no status or infrastructure writes (nothing they depend on
    /// changed); the last result's backends get their new endpoints and changed Gateways are pushed to their proxies.
    /// </summary>
    private void RefreshEndpoints()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = Translator.RefreshEndpoints(_last!, CurrentSnapshot());
        _options.Metrics?.TranslateDuration.ObserveTicks(System.Diagnostics.Stopwatch.GetTimestamp() - started);
        if (result.Gateways == _last!.Gateways) return;
        if (Volatile.Read(ref _distribution) is { } dist)
        {
            var pending = Publish(dist, result);
            if (!pending.SetEquals(_pending))
            {
                // Programmed waits for the proxies' ACK: let the ACK's full reconcile write that.
                Volatile.Write(ref _pending, pending);
            }
        }
        _last = result;
        Interlocked.Increment(ref _endpointRefreshes);
    }

    /// <summary>Every watched object converted to the model (cached per uid and resourceVersion), as one snapshot.</summary>
    private ResourceSnapshot CurrentSnapshot()
    {
        var objects = new List<KubeObject>();
        foreach (var inf in _informers)
            foreach (var raw in inf.Items)
                if (_converter.Convert(raw) is { } o) objects.Add(o);
        return ResourceSnapshot.Create(objects);
    }

    /// <summary>How many EndpointSlice-only changes took the fast path (no retranslation).</summary>
    public int EndpointRefreshes => Volatile.Read(ref _endpointRefreshes);

    private ImmutableHashSet<string> Publish(ControllerDistribution dist, TranslationResult result)
    {
        if (!ReferenceEquals(_publishedTo, dist))
        {
            _published.Clear(); // a new server knows nothing yet
            _publishedTo = dist;
        }
        var pending = ImmutableHashSet.CreateBuilder<string>(StringComparer.Ordinal);
        var current = new HashSet<string>(StringComparer.Ordinal);
        foreach (var ir in result.Gateways)
        {
            current.Add(ir.Name);
            var version = dist.Server.Publish(ir.Name, ir);
            if (dist.Server.AckedVersion(ir.Name) is not { } acked || acked < version) pending.Add(ir.Name);
        }
        foreach (var gone in _published.Where(k => !current.Contains(k)).ToList())
        {
            dist.Server.Remove(gone);
            _published.Remove(gone);
        }
        _published.UnionWith(current);
        return pending.ToImmutable();
    }

    public async ValueTask DisposeAsync()
    {
        AttachDistribution(null);
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            await StopAsync(cts.Token).ConfigureAwait(false);
        _cts?.Dispose();
        _api.Dispose();
    }
}
