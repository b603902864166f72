using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Causeway.Model.Loading;
using Causeway.Model.Snapshot;
using Microsoft.Extensions.Logging;

namespace Causeway.Providers.File;

/// <summary>
/// Reads manifests from files and directories and raises a new snapshot when they change. Changes are noticed by
/// <see cref="FileSystemWatcher"/> and by a periodic scan of file times and sizes (watchers miss some
/// rename-and-replace saves), then debounced. A load with errors never replaces the last good snapshot: its errors are
/// logged and kept in <see cref="Errors"/> until a good load clears them.
/// </summary>
public sealed partial class FileProvider : IAsyncDisposable
{
    private readonly FileProviderOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ManifestLoader _loader;
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly Lock _gate = new();
    private FileLoad? _latest;
    private FileLoad? _lastGood;
    private byte[]? _lastGoodHash;
    private string _fingerprint = "";

    public FileProvider(FileProviderOptions options, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Paths.Count == 0) throw new ArgumentException("at least one path is required", nameof(options));
        _options = options;
        _logger = loggerFactory.CreateLogger<FileProvider>();
        _time = timeProvider;
        _loader = new ManifestLoader(options.Validator);
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
        var fingerprint = Fingerprint();
        var hash = ContentHash();
        var result = _loader.LoadPaths(_options.Paths);
        var load = new FileLoad(result.Ok ? ResourceSnapshot.Create(result.Objects) : null, result.Errors, result.Warnings, _time.GetUtcNow());
        lock (_gate)
        {
            _latest = load;
            _fingerprint = fingerprint;
            if (load.Ok)
            {
                _lastGood = load;
                _lastGoodHash = hash;
            }
        }
        return load;
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
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await _changes.Reader.ReadAsync(ct).ConfigureAwait(false);
                await DebounceAsync(ct).ConfigureAwait(false);
                var before = LastGood;
                var hashBefore = LastGoodHashSnapshot();
                var load = Load();
                if (!load.Ok)
                {
                    foreach (var error in load.Errors) LogLoadError(error.ToString());
                    LogKeepingLastGood(load.Errors.Count);
                    continue;
                }
                foreach (var warning in load.Warnings) LogLoadWarning(warning.ToString());
                if (before is not null && hashBefore is not null && LastGoodHashSnapshot() is { } now && now.AsSpan().SequenceEqual(hashBefore))
                    continue;
                LogReloaded(load.Snapshot!.All.Length);
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

    private byte[]? LastGoodHashSnapshot()
    {
        lock (_gate) return _lastGoodHash;
    }

    /// <summary>Waits until changes stop for the quiet period, or the maximum delay passed.</summary>
    private async Task DebounceAsync(CancellationToken ct)
    {
        var deadline = _time.GetUtcNow() + _options.MaxDelay;
        while (true)
        {
            var left = deadline - _time.GetUtcNow();
            if (left <= TimeSpan.Zero) return;
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(left < _options.QuietPeriod ? left : _options.QuietPeriod);
            try
            {
                await _changes.Reader.ReadAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task RescanLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.RescanInterval, _time);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            string known;
            lock (_gate) known = _fingerprint;
            if (Fingerprint() != known) Signal();
        }
    }

    private void Signal() => _changes.Writer.TryWrite(true);

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
                watcher.Created += (_, _) => Signal();
                watcher.Deleted += (_, _) => Signal();
                watcher.Renamed += (_, _) => Signal();
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

    /// <summary>Names, sizes and modification times of every manifest file (cheap: no reading).</summary>
    private string Fingerprint()
    {
        var sb = new StringBuilder();
        foreach (var file in SafeExpand())
        {
            var info = new FileInfo(file);
            sb.Append(file).Append('|');
            if (info.Exists) sb.Append(info.Length).Append('|').Append(info.LastWriteTimeUtc.Ticks);
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private byte[] ContentHash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in SafeExpand())
        {
            hash.AppendData(Encoding.UTF8.GetBytes(file + "\0"));
            try { hash.AppendData(System.IO.File.ReadAllBytes(file)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { hash.AppendData([0xff]); }
        }
        return hash.GetHashAndReset();
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Files changed: reloaded {Objects} objects")]
    private partial void LogReloaded(int objects);

    [LoggerMessage(Level = LogLevel.Warning, Message = "File watcher: {Message}; falling back to periodic rescans")]
    private partial void LogWatcherError(string message);
}
