using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Causeway.DataPlane.Telemetry.AccessLog;

/// <summary>
/// Writes access log lines (one per request or L4 connection) to a stream, stdout by default, from a background task.
/// A request formats its line straight into the pending batch (UTF-8, no entry object or strings for the default JSON
/// line) under a short lock; when <c>capacity</c> lines are already pending the line is dropped and counted, a request
/// never waits for the output. The pump wakes when a batch starts, lets it gather for 5 ms, then writes it in one
/// call. Application logs go to stderr, so the two never interleave.
/// </summary>
public sealed class AccessLogWriter : Causeway.Telemetry.IMetricsCollector, IAccessLogSink, IAsyncDisposable
{
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(5);

    private readonly Stream _output;
    private readonly int _capacity;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _batchStarted = new(0);
    private readonly Task _pump;
    private LogBuffer _pending = new();
    private LogBuffer _spare = new();
    private Utf8JsonWriter? _json; // custom JSON formats, used under _lock
    private int _pendingLines;
    private bool _completed;
    private long _written;
    private long _dropped;

    public AccessLogWriter(AccessLogFormat format, Stream output, int capacity = 16384)
    {
        Format = format;
        _output = output;
        _capacity = capacity;
        _pump = Task.Run(PumpAsync);
    }

    public AccessLogFormat Format { get; }
    public long Written => Interlocked.Read(ref _written);
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>"json", "text" or "off".</summary>
    public static AccessLogFormat ParseFormat(string value) => value.ToLowerInvariant() switch
    {
        "json" => AccessLogFormat.Json,
        "text" => AccessLogFormat.Text,
        "off" => AccessLogFormat.Off,
        _ => throw new FormatException($"'{value}' is not json, text or off"),
    };

    /// <summary>The default log's line of a completed exchange (called by the completion hook, on the request's thread).</summary>
    internal void Record(in ExchangeSummary summary)
    {
        var now = DateTimeOffset.UtcNow;
        if (Format != AccessLogFormat.Json)
        {
            Enqueue(AccessLogger.Build(summary, null, now));
            return;
        }
        lock (_lock)
        {
            if (!Room()) return;
            var start = _pending.Length;
            try
            {
                DefaultJsonLine.Write(_pending, summary, now);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
            {
                Failed(start);
                return;
            }
            Added();
        }
    }

    /// <summary>A line in the default format (L4 connections).</summary>
    internal void Enqueue(AccessLogEntry entry)
    {
        lock (_lock)
        {
            if (!Room()) return;
            var start = _pending.Length;
            try
            {
                if (Format == AccessLogFormat.Json) DefaultJsonLine.Write(_pending, entry);
                else WriteText(_pending, entry);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
            {
                Failed(start);
                return;
            }
            Added();
        }
    }

    /// <summary>A line of a custom access log (EnvoyProxy settings), in its own format.</summary>
    void IAccessLogSink.Enqueue(AccessLogEntry entry, LineFormatter formatter)
    {
        lock (_lock)
        {
            if (!Room()) return;
            var start = _pending.Length;
            try
            {
                formatter.Write(_pending, _json ??= new Utf8JsonWriter(_pending, new JsonWriterOptions { SkipValidation = true }), entry);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
            {
                Failed(start);
                return;
            }
            Added();
        }
    }

    /// <summary>Under the lock: whether a line may be added (else it is counted as dropped).</summary>
    private bool Room()
    {
        if (!_completed && _pendingLines < _capacity) return true;
        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>Under the lock: a line was added; the first of a batch wakes the pump.</summary>
    private void Added()
    {
        if (++_pendingLines == 1) _batchStarted.Release();
    }

    /// <summary>Under the lock: a line could not be formatted; what it wrote is taken back and it counts as dropped.</summary>
    private void Failed(int start)
    {
        _pending.Truncate(start);
        Interlocked.Increment(ref _dropped);
    }

    private async Task PumpAsync()
    {
        while (true)
        {
            await _batchStarted.WaitAsync().ConfigureAwait(false);
            // Gather for a while before one write: at tens of thousands of requests a second, a write per line would
            // cost a system call per request on the proxy's own cores.
            if (!Volatile.Read(ref _completed)) await Task.Delay(BatchWindow).ConfigureAwait(false);
            LogBuffer batch;
            int n;
            bool completed;
            lock (_lock)
            {
                batch = _pending;
                n = _pendingLines;
                completed = _completed;
                _pending = _spare;
                _pendingLines = 0;
            }
            if (n > 0)
            {
                try
                {
                    await _output.WriteAsync(batch.WrittenMemory).ConfigureAwait(false);
                    await _output.FlushAsync().ConfigureAwait(false);
                    Interlocked.Add(ref _written, n);
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
                {
                    Interlocked.Add(ref _dropped, n); // stdout closed: nothing more to do than count
                }
            }
            batch.Clear();
            _spare = batch;
            if (completed) return;
        }
    }

    /// <summary>Envoy's default text format.</summary>
    private static void WriteText(LogBuffer buffer, AccessLogEntry e)
    {
        var sb = new StringBuilder(256);
        sb.Append('[').Append(e.StartTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append("] \"")
            .Append(e.Method ?? "-").Append(' ').Append(e.Path ?? "-").Append(' ').Append(e.Protocol ?? "-").Append("\" ")
            .Append(e.ResponseCode.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(e.ResponseFlags).Append(' ')
            .Append(e.BytesReceived.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(e.BytesSent.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(e.DurationMs.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(e.UpstreamServiceTimeMs?.ToString(CultureInfo.InvariantCulture) ?? "-").Append(' ');
        Quoted(sb, e.XForwardedFor).Append(' ');
        Quoted(sb, e.UserAgent).Append(' ');
        Quoted(sb, e.RequestId).Append(' ');
        Quoted(sb, e.Authority).Append(' ');
        Quoted(sb, e.UpstreamHost).Append('\n');
        buffer.Utf8(sb.ToString()); // one string: a surrogate pair may straddle two of the builder's chunks

        static StringBuilder Quoted(StringBuilder sb, string? v) => sb.Append('"').Append(v is null ? "-" : v.Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
    }

    public void Collect(Causeway.Telemetry.MetricsWriter w)
    {
        const string name = "causeway_access_log_entries_total";
        const string help = "Access log entries written, or dropped because the queue was full (requests never wait for the log)";
        w.Add(name, Causeway.Telemetry.MetricType.Counter, help, ["result"], ["written"], Written);
        w.Add(name, Causeway.Telemetry.MetricType.Counter, help, ["result"], ["dropped"], Dropped);
    }

    /// <summary>Writes what is queued (within 5 s) and stops.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_lock) _completed = true;
        _batchStarted.Release();
        await Task.WhenAny(_pump, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        try
        {
            await _output.FlushAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
