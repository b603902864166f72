using Microsoft.Extensions.Logging;

namespace Causeway.Providers.Runtime;

/// <summary>
/// Gives memory back to the operating system after an apply that replaced a large configuration by a much smaller or
/// larger one. Why: the garbage of such an apply (the old snapshot, its IR and compiled route tables, the parse trees
/// of the new files) sits in gen2, and a process that then only serves requests rarely runs a full collection, so
/// without this the heap stays at its high-water mark (measured: 200 MiB kept after scaling 10,000 routes down to 10).
/// One blocking, compacting, aggressive collection (which also decommits the freed segments) costs a pause of tens of
/// milliseconds, so it runs only when the object count changed by at least
/// <see cref="MemoryReclaimOptions.ObjectDelta"/>, and at most once per <see cref="MemoryReclaimOptions.MinInterval"/>
/// (a collection due earlier is deferred, not dropped, so a scale-down right after a scale-up is still released).
/// </summary>
public sealed partial class MemoryReclaimer : IDisposable
{
    private readonly MemoryReclaimOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Action _collect;
    private DateTimeOffset _last = DateTimeOffset.MinValue;
    private ITimer? _deferred;
    private long _collections;
    private bool _disposed;

    public MemoryReclaimer(MemoryReclaimOptions options, TimeProvider timeProvider, ILogger logger, Action? collect = null)
    {
        _options = options;
        _time = timeProvider;
        _logger = logger;
        _collect = collect ?? (() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true));
    }

    /// <summary>Aggressive collections run so far.</summary>
    public long Collections => Interlocked.Read(ref _collections);

    /// <summary>
    /// Called after every successful apply with the object counts before and after. The collection runs on a timer,
    /// <see cref="MemoryReclaimOptions.SettleDelay"/> later (or later still to keep the minimum interval): by then the
    /// apply's callers and continuations have let go of the old configuration, so it is actually collected.
    /// </summary>
    public void AfterApply(int previousObjects, int objects)
    {
        if (!_options.Enabled || Math.Abs((long)objects - previousObjects) < _options.ObjectDelta) return;
        lock (_gate)
        {
            if (_disposed || _deferred is not null) return; // one is already scheduled: it will see this apply's garbage
            var due = _last + _options.MinInterval - _time.GetUtcNow();
            if (due < _options.SettleDelay) due = _options.SettleDelay;
            _deferred = _time.CreateTimer(_ => Run(previousObjects, objects), null, due, Timeout.InfiniteTimeSpan);
        }
    }

    private void Run(int previousObjects, int objects)
    {
        lock (_gate)
        {
            if (_disposed) return;
            _deferred?.Dispose();
            _deferred = null;
            _last = _time.GetUtcNow();
        }
        Collect(previousObjects, objects);
    }

    private void Collect(int previousObjects, int objects)
    {
        var before = GC.GetTotalMemory(false);
        var started = _time.GetTimestamp();
        _collect();
        Interlocked.Increment(ref _collections);
        LogCollected(previousObjects, objects, before >> 20, GC.GetTotalMemory(false) >> 20, _time.GetElapsedTime(started).TotalMilliseconds);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _deferred?.Dispose();
            _deferred = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration went from {Previous} to {Objects} objects: compacted the heap ({Before} MiB -> {After} MiB) in {Milliseconds:F0} ms")]
    private partial void LogCollected(int previous, int objects, long before, long after, double milliseconds);
}
