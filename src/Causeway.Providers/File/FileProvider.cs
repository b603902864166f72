using System.Diagnostics;
using System.Threading.Channels;
using Causeway.Model.Loading;
using Causeway.Model.Snapshot;
using Microsoft.Extensions.Logging;

namespace Causeway.Providers.File;

/// <summary>
/// Reads manifests from files and directories and raises a new snapshot when they change. Changes are noticed by
/// <see cref="FileSystemWatcher"/> and by a periodic scan of file times and sizes (watchers miss some
/// rename-and-replace saves), then debounced by a short quiet period (a burst of writes becomes one reload). Reloads are
/// incremental: only files whose size, time or bytes changed are re-parsed (<see cref="ManifestFileCache"/>).
/// A load with errors never replaces the last good snapshot: its errors are logged and kept in <see cref="Errors"/>
/// until a good load clears them.
/// </summary>
public sealed partial class FileProvider : IAsyncDisposable
{
    private readonly FileProviderOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ManifestFileCache _cache;
    private readonly Lock _loadGate = new();
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly Lock _gate = new();
    private FileLoad? _latest;
    private FileLoad? _lastGood;
    private long _latestVersion = -1;
    private int _complete;

    public FileProvider(FileProviderOptions options, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Paths.Count == 0) throw new ArgumentException("at least one path is required", nameof(options));
        _options = options;
        _logger = loggerFactory.CreateLogger<FileProvider>();
        _time = timeProvider;
        _cache = new ManifestFileCache(new ManifestLoader(options.Validator));
    }

    /// <summary>The most recent load, good or not.</summary>
    public FileLoad? Latest { get { lock (_gate) return _latest; } }

    /// <summary>The most recent load without errors: the snapshot being served.</summary>
    public FileLoad? LastGood { get { lock (_gate) return _lastGood; } }

    /// <summary>Errors of the most recent load (empty when it was good).</summary>
    public IReadOnlyList<LoadDiagnostic> Errors => Latest?.Errors ?? [];

    /// <summary>Loads the files now. The caller of the first load decides what to do with errors (exit, usually).</summary>
    public FileLoad Load()
    {
        var load = LoadCore().Load;
        if (load.Ok) lock (_loadGate) _cache.Settle();
        return load;
    }

    /// <summary>For tests: files read and parsed since creation.</summary>
    internal (long Read, long Parsed) CacheCounters
    {
        get { lock (_loadGate) return (_cache.FilesRead, _cache.FilesParsed); }
    }

    /// <summary>Refreshes the per-file cache; the snapshot is rebuilt only when some file's content changed.</summary>
    private (FileLoad Load, long Version, bool Shrunk) LoadCore()
    {
        lock (_loadGate)
        {
            var composed = _cache.Refresh(SafeExpand());
            FileLoad load;
            lock (_gate)
            {
                if (_latest is not null && composed.ContentVersion == _latestVersion) return (_latest, _latestVersion, false);
            }
            load = new FileLoad(composed.Errors.Count == 0 ? ResourceSnapshot.Create(composed.Objects) : null,
                composed.Errors, composed.Warnings, _time.GetUtcNow());
            lock (_gate)
            {
                _latest = load;
                _latestVersion = composed.ContentVersion;
                if (load.Ok) _lastGood = load;
            }
            return (load, composed.ContentVersion, composed.ShrunkFile);
        }
    }

    /// <summary>
    /// Watches the paths until <paramref name="ct"/> is cancelled, calling <paramref name="onSnapshot"/> with every
    /// new good snapshot whose files differ from the last good one. Call <see cref="Load"/> first.
    /// </summary>
    public async Task WatchAsync(Func<ResourceSnapshot, CancellationToken, Task> onSnapshot, CancellationToken ct)
    {
        StartWatchers();
        using var rescanStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var rescan = RescanLoopAsync(rescanStop.Token);
        long handled;
        lock (_gate) handled = _latestVersion;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await _changes.Reader.ReadAsync(ct).ConfigureAwait(false);
                var complete = await DebounceAsync(_options.QuietPeriod, _options.QuietPeriod, ct).ConfigureAwait(false);
                var observed = Interlocked.Exchange(ref _firstSignal, 0);
                Interlocked.Exchange(ref _changeObservedAt, observed == 0 ? Stopwatch.GetTimestamp() : observed);
                var loadStarted = Stopwatch.GetTimestamp();
                var (load, version, shrunk) = LoadCore();
                if (shrunk && load.Ok && !complete) (load, version) = await HoldShrunkAsync(version, ct).ConfigureAwait(false);
                if (version == handled) continue; // nothing changed (a touch, a re-check of a racy file)
                handled = version;
                if (!load.Ok)
                {
                    foreach (var error in load.Errors) LogLoadError(error.ToString());
                    LogKeepingLastGood(load.Errors.Count);
                    continue;
                }
                lock (_loadGate) _cache.Settle();
                foreach (var warning in load.Warnings) LogLoadWarning(warning.ToString());
                LogReloaded(load.Snapshot!.All.Length, Stopwatch.GetElapsedTime(loadStarted).TotalMilliseconds);
                await onSnapshot(load.Snapshot, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            await rescanStop.CancelAsync().ConfigureAwait(false);
            try { await rescan.ConfigureAwait(false); }
            catch (OperationCanceledException) { }
            StopWatchers();
        }
    }

    /// <summary>
    /// A file written in place now holds fewer objects than when it was last handed over: it may be caught between
    /// truncate and the end of the write, or in the middle of a writer that writes in pieces. Rather than briefly
    /// dropping its routes, look again after the settle delay or the next burst of changes, and again for as long as
    /// every look finds it changed and still short, bounded by the larger of the settle delay and
    /// <see cref="FileProviderOptions.MaxDelay"/>. A file that stayed the same for a settle delay is what its writer
    /// meant. Renames and deletes leave complete files and end the hold.
    /// </summary>
    private async Task<(FileLoad Load, long Version)> HoldShrunkAsync(long version, CancellationToken ct)
    {
        var until = _time.GetUtcNow() + (_options.SettleDelay > _options.MaxDelay ? _options.SettleDelay : _options.MaxDelay);
        while (true)
        {
            var complete = await DebounceAsync(_options.SettleDelay, _options.QuietPeriod, ct).ConfigureAwait(false);
            var (load, next, shrunk) = LoadCore();
            if (next == version || complete || !shrunk || !load.Ok || _time.GetUtcNow() >= until) return (load, next);
            version = next;
        }
    }

    /// <summary>
    /// Waits <paramref name="first"/> for a change, then until no change was signalled for <paramref name="quiet"/>,
    /// but never longer than <see cref="FileProviderOptions.MaxDelay"/>. A lone write costs one quiet period; a rename
    /// or delete (complete files) ends the wait at once.
    /// </summary>
    /// <returns>True when a rename or delete ended the wait.</returns>
    private async Task<bool> DebounceAsync(TimeSpan first, TimeSpan quiet, CancellationToken ct)
    {
        var deadline = _time.GetUtcNow() + _options.MaxDelay;
        var period = first;
        while (true)
        {
            if (Interlocked.Exchange(ref _complete, 0) == 1) return true;
            var left = deadline - _time.GetUtcNow();
            if (left <= TimeSpan.Zero) return false;
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(left < period ? left : period);
            period = quiet;
            try
            {
                await _changes.Reader.ReadAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return false;
            }
        }
    }

    private async Task RescanLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.RescanInterval, _time);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            bool needed;
            lock (_loadGate) needed = _cache.NeedsRefresh(SafeExpand());
            if (needed) Signal();
        }
    }

    /// <summary>
    /// When the change behind the snapshot being handed over was first seen (<see cref="Stopwatch"/> ticks; 0 before
    /// any): the start of its propagation.
    /// </summary>
    public long ChangeObservedAt => Interlocked.Read(ref _changeObservedAt);

    private long _firstSignal;
    private long _changeObservedAt;

    private void Signal(bool complete = false)
    {
        Interlocked.CompareExchange(ref _firstSignal, Stopwatch.GetTimestamp(), 0);
        if (complete) Volatile.Write(ref _complete, 1);
        _changes.Writer.TryWrite(true);
    }

    private void StartWatchers()
    {
        foreach (var path in _options.Paths)
        {
            var full = Path.GetFullPath(path);
            string directory;
            bool recursive;
            if (Directory.Exists(full)) { directory = full; recursive = true; }
            else
            {
                directory = Path.GetDirectoryName(full) ?? full;
                recursive = false;
                if (!Directory.Exists(directory)) continue;
            }
            try
            {
                var watcher = new FileSystemWatcher(directory)
                {
                    IncludeSubdirectories = recursive,
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                };
                watcher.Changed += (_, _) => Signal();
                watcher.Created += (_, _) => Signal(); // also a move into the directory, but as often an empty new file
                // A rename within the directory (an editor's save) and a delete leave complete files: no quiet period.
                watcher.Deleted += (_, _) => Signal(complete: true);
                watcher.Renamed += (_, _) => Signal(complete: true);
                watcher.Error += (_, e) => { LogWatcherError(e.GetException().Message); Signal(); };
                watcher.EnableRaisingEvents = true;
                lock (_gate) _watchers.Add(watcher);
            }
            catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
            {
                LogWatcherError(e.Message);
            }
        }
    }

    private void StopWatchers()
    {
        lock (_gate)
        {
            foreach (var w in _watchers) w.Dispose();
            _watchers.Clear();
        }
    }

    private IReadOnlyList<string> SafeExpand()
    {
        try { return ManifestLoader.ExpandPaths(_options.Paths); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    public ValueTask DisposeAsync()
    {
        StopWatchers();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Error}")]
    private partial void LogLoadError(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private partial void LogLoadWarning(string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The changed files have {Count} errors; the last good configuration keeps serving")]
    private partial void LogKeepingLastGood(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Files changed: reloaded {Objects} objects in {Milliseconds:F1} ms")]
    private partial void LogReloaded(int objects, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "File watcher: {Message}; falling back to periodic rescans")]
    private partial void LogWatcherError(string message);
}
