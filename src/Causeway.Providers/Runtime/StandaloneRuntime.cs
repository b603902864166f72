using System.Collections.Immutable;
using System.Diagnostics;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Translation;
using Microsoft.Extensions.Logging;

namespace Causeway.Providers.Runtime;

/// <summary>
/// Standalone mode in one process: snapshot -> addresses -> translate -> data plane -> status.
/// Applies are serialized and coalesced: while one apply runs, only the newest waiting snapshot is applied next.
/// A translation that throws keeps the last good configuration serving and records the error.
/// </summary>
public sealed partial class StandaloneRuntime : IAsyncDisposable
{
    private readonly StandaloneRuntimeOptions _options;
    private readonly IGatewayDataPlane _dataPlane;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly GatewayAddressAssigner _addresses;
    private readonly MemoryReclaimer _reclaimer;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private Pending? _pending;
    private Task _loop = Task.CompletedTask;
    private bool _running;
    private bool _disposed;
    private RuntimeState? _current;
    private string? _lastError;
    private long _version;

    public StandaloneRuntime(StandaloneRuntimeOptions options, IGatewayDataPlane dataPlane, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _dataPlane = dataPlane ?? throw new ArgumentNullException(nameof(dataPlane));
        _logger = loggerFactory.CreateLogger<StandaloneRuntime>();
        _time = timeProvider;
        if (options.ControllerNames.IsDefaultOrEmpty)
            throw new ArgumentException("at least one controller name is required", nameof(options));
        _addresses = new GatewayAddressAssigner(options.AddressPool is null ? null : new AddressPool(options.AddressPool));
        _reclaimer = new MemoryReclaimer(options.MemoryReclaim, timeProvider, _logger, options.Collect);
    }

    /// <summary>Aggressive collections run after large configuration changes (see <see cref="MemoryReclaimer"/>).</summary>
    public long MemoryCollections => _reclaimer.Collections;

    /// <summary>The configuration being served (null until the first successful apply).</summary>
    public RuntimeState? Current => Volatile.Read(ref _current);

    /// <summary>The error of the last apply, or null if it succeeded.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>True once a first configuration is serving.</summary>
    public bool IsReady => Current is not null;

    public ImmutableArray<string> ControllerNames => _options.ControllerNames;

    /// <summary>Raised after every successful apply (on the apply loop; handlers must be quick and must not throw).</summary>
    public event Action<RuntimeState>? StatusChanged;

    /// <summary>
    /// Queues <paramref name="snapshot"/> and completes when it (or a newer snapshot that replaced it) has been applied.
    /// Cancelling <paramref name="ct"/> stops waiting; the apply itself still happens.
    /// </summary>
    public Task<ApplyOutcome> ApplyAsync(ResourceSnapshot snapshot, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var waiter = new TaskCompletionSource<ApplyOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_pending is { } older)
            {
                foreach (var w in older.Waiters) w.Superseded = true;
                older.Waiters.Add(new Waiter(waiter, false));
                _pending = new Pending(snapshot, older.Waiters);
            }
            else _pending = new Pending(snapshot, [new Waiter(waiter, false)]);
            if (!_running)
            {
                _running = true;
                _loop = Task.Run(RunLoopAsync, CancellationToken.None);
            }
        }
        return ct.CanBeCanceled ? waiter.Task.WaitAsync(ct) : waiter.Task;
    }

    private async Task RunLoopAsync()
    {
        while (true)
        {
            Pending next;
            lock (_gate)
            {
                if (_pending is null || _stopping.IsCancellationRequested)
                {
                    _running = false;
                    foreach (var w in _pending?.Waiters ?? []) w.Source.TrySetCanceled();
                    _pending = null;
                    return;
                }
                next = _pending;
                _pending = null;
            }
            ApplyOutcome outcome;
            var previousObjects = Current?.Snapshot.All.Length ?? 0; // a count, not the state: the old state must be collectable
            try
            {
                outcome = await ApplyOneAsync(next.Snapshot, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                outcome = new ApplyOutcome(ApplyStatus.Failed, Current, "the runtime is stopping");
            }
            foreach (var w in next.Waiters)
                w.Source.TrySetResult(w.Superseded && outcome.Status == ApplyStatus.Applied ? outcome with { Status = ApplyStatus.Superseded } : outcome);
            // After the waiters are released: the collection's pause does not count against the apply.
            if (outcome.Status == ApplyStatus.Applied)
                _reclaimer.AfterApply(previousObjects, next.Snapshot.All.Length);
        }
    }

    private async Task<ApplyOutcome> ApplyOneAsync(ResourceSnapshot snapshot, CancellationToken ct)
    {
        var previous = Current;
        var started = Stopwatch.GetTimestamp();
        var failures = previous?.ListenerFailures ?? ImmutableDictionary<string, string>.Empty;
        ImmutableDictionary<string, ImmutableArray<string>> assigned;
        TranslationResult result;
        var now = _time.GetUtcNow();
        try
        {
            assigned = _addresses.Assign(snapshot, _options.ControllerNames);
            result = Translate(snapshot, previous?.Result, assigned, failures, now);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Fail("translation failed", e);
        }

        var translated = Stopwatch.GetTimestamp();
        _options.Metrics?.TranslateDuration.ObserveTicks(translated - started);
        DataPlaneApplyResult applied;
        try
        {
            applied = await _dataPlane.ApplyAsync(result.Gateways, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Fail("the data plane rejected the configuration", e);
        }

        var programmed = Stopwatch.GetTimestamp();
        var reported = applied.ListenerFailures.ToImmutableDictionary(StringComparer.Ordinal);
        if (!SameFailures(reported, failures))
        {
            foreach (var (listener, reason) in reported)
                if (!failures.ContainsKey(listener))
                    LogListenerFailed(listener, reason);
            try
            {
                result = Translate(snapshot, previous?.Result, assigned, reported, now);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return Fail("translation failed", e);
            }
        }

        foreach (var problem in result.Problems)
            LogProblem(problem);

        var state = new RuntimeState(snapshot, result, reported, assigned, FirstSeen(snapshot, previous?.FirstSeen, now), now, Interlocked.Increment(ref _version));
        _options.Metrics?.Reloaded(ok: true, state.Version);
        Volatile.Write(ref _current, state);
        Volatile.Write(ref _lastError, null);
        LogApplied(state.Version, result.Gateways.Count, snapshot.All.Length, Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            Stopwatch.GetElapsedTime(started, translated).TotalMilliseconds, Stopwatch.GetElapsedTime(translated, programmed).TotalMilliseconds);
        try
        {
            StatusChanged?.Invoke(state);
        }
        catch (Exception e)
        {
            LogHandlerFailed(e);
        }
        return new ApplyOutcome(ApplyStatus.Applied, state, null);

        ApplyOutcome Fail(string what, Exception e)
        {
            var message = $"{what}: {e.Message}";
            Volatile.Write(ref _lastError, message);
            _options.Metrics?.Reloaded(ok: false, 0);
            LogApplyFailed(e, what);
            return new ApplyOutcome(ApplyStatus.Failed, previous, message);
        }
    }

    /// <summary>
    /// Where a client reaches a Gateway that binds every address: this machine's first non-loopback IPv4 address that is
    /// up, then 127.0.0.1 (shown in status.addresses and <c>causeway status</c>, like a cloud load balancer's address).
    /// </summary>
    private static readonly Lazy<ImmutableArray<string>> ReachableAddresses = new(() =>
    {
        var list = new List<string>();
        try
        {
            var up = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !System.Net.IPAddress.IsLoopback(a));
            if (up is not null) list.Add(up.ToString());
        }
        catch (System.Net.NetworkInformation.NetworkInformationException)
        {
            // No interface information: loopback is still reachable.
        }
        list.Add("127.0.0.1");
        return [.. list];
    });

    private TranslationResult Translate(
        ResourceSnapshot snapshot,
        TranslationResult? previous,
        ImmutableDictionary<string, ImmutableArray<string>> assigned,
        ImmutableDictionary<string, string> failures,
        DateTimeOffset now)
    {
        var options = new TranslatorOptions
        {
            ControllerNames = _options.ControllerNames,
            Now = now,
            PreviousStatuses = previous is null
                ? ImmutableDictionary<ObjectKey, object>.Empty
                : previous.Statuses.ToImmutableDictionary(s => s.Key, s => s.Status),
            AssignedAddresses = assigned,
            ListenerFailures = failures,
            ReachableAddresses = _options.AddressPool is null ? ReachableAddresses.Value : [],
            GlobalRateLimitBackend = _options.GlobalRateLimitBackend,
        };
        return _options.Translate(snapshot, options);
    }

    /// <summary>
    /// When each object was first seen (its creationTimestamp when it has one). Updated from the previous map rather
    /// than rebuilt: with 10,000 objects and one change, only that change is written.
    /// </summary>
    private static ImmutableDictionary<ObjectKey, DateTimeOffset> FirstSeen(ResourceSnapshot snapshot, ImmutableDictionary<ObjectKey, DateTimeOffset>? previous, DateTimeOffset now)
    {
        var all = snapshot.All;
        if (previous is null || previous.Count > 2 * all.Length)
        {
            // Most objects are gone (or this is the first apply): building afresh beats removing one by one.
            var fresh = ImmutableDictionary.CreateBuilder<ObjectKey, DateTimeOffset>();
            foreach (var obj in all)
                fresh[obj.Key] = obj.Metadata.CreationTimestamp ?? (previous is not null && previous.TryGetValue(obj.Key, out var seen) ? seen : now);
            return fresh.ToImmutable();
        }
        var map = previous.ToBuilder();
        foreach (var obj in all)
        {
            if (obj.Metadata.CreationTimestamp is { } created)
            {
                if (!map.TryGetValue(obj.Key, out var known) || known != created) map[obj.Key] = created;
            }
            else if (!map.ContainsKey(obj.Key)) map[obj.Key] = now;
        }
        if (map.Count != all.Length)
            map.RemoveRange([.. map.Keys.Where(k => snapshot.Get<KubeObject>(k.Kind, k.Namespace, k.Name) is null)]);
        return map.ToImmutable();
    }

    private static bool SameFailures(ImmutableDictionary<string, string> a, ImmutableDictionary<string, string> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    public async ValueTask DisposeAsync()
    {
        Task loop;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _stopping.Cancel();
            loop = _loop;
        }
        try { await loop.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        _reclaimer.Dispose();
        await _dataPlane.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private sealed class Waiter(TaskCompletionSource<ApplyOutcome> source, bool superseded)
    {
        public TaskCompletionSource<ApplyOutcome> Source { get; } = source;
        public bool Superseded { get; set; } = superseded;
    }

    private sealed record Pending(ResourceSnapshot Snapshot, List<Waiter> Waiters);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied configuration version {Version}: {Gateways} gateways from {Objects} objects in {Milliseconds:F1} ms (translation {TranslateMilliseconds:F1} ms, data plane {DataPlaneMilliseconds:F1} ms)")]
    private partial void LogApplied(long version, int gateways, int objects, double milliseconds, double translateMilliseconds, double dataPlaneMilliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Apply failed ({What}); the previous configuration keeps serving")]
    private partial void LogApplyFailed(Exception exception, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listener {Listener} could not be programmed: {Reason}")]
    private partial void LogListenerFailed(string listener, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Problem}")]
    private partial void LogProblem(string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "A StatusChanged handler threw")]
    private partial void LogHandlerFailed(Exception exception);
}
