using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Causeway.DataPlane.Telemetry.AccessLog;

/// <summary>
/// Writes access log lines (one per request or L4 connection) to a stream, stdout by default, from a background task:
/// requests only enqueue into a bounded queue; when it is full the entry is dropped and counted, a request never waits
/// for the log. Application logs go to stderr, so the two never interleave.
/// </summary>
public sealed class AccessLogWriter : Causeway.Telemetry.IMetricsCollector, IAccessLogSink, IAsyncDisposable
{
    private const int BatchBytes = 60 * 1024;
    private static readonly long BatchWindowTicks = System.Diagnostics.Stopwatch.Frequency / 200; // 5 ms

    private readonly Channel<(AccessLogEntry Entry, LineFormatter? Formatter)> _queue;
    private readonly Stream _output;
    private readonly Task _pump;
    private long _written;
    private long _dropped;

    public AccessLogWriter(AccessLogFormat format, Stream output, int capacity = 16384)
    {
        Format = format;
        _output = output;
        _queue = Channel.CreateBounded<(AccessLogEntry, LineFormatter?)>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails (and counts) when full; DropWrite would drop silently
            SingleReader = true,
            SingleWriter = false,
        });
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

    internal void Enqueue(AccessLogEntry entry)
    {
        if (!_queue.Writer.TryWrite((entry, null))) Interlocked.Increment(ref _dropped);
    }

    /// <summary>A line of a custom access log (EnvoyProxy settings), in its own format.</summary>
    void IAccessLogSink.Enqueue(AccessLogEntry entry, LineFormatter formatter)
    {
        if (!_queue.Writer.TryWrite((entry, formatter))) Interlocked.Increment(ref _dropped);
    }

    private async Task PumpAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                // Gather for up to BatchWindow (or BatchBytes) before one write: at tens of thousands of requests a
                // second, a write per line would cost a system call per request on the proxy's own cores.
                var n = 0;
                var until = System.Diagnostics.Stopwatch.GetTimestamp() + BatchWindowTicks;
                while (true)
                {
                    while (buffer.WrittenCount < BatchBytes && reader.TryRead(out var item))
                    {
                        if (item.Formatter is { } custom) custom.Write(buffer, json, item.Entry);
                        else if (Format == AccessLogFormat.Json) WriteJson(json, buffer, item.Entry);
                        else WriteText(buffer, item.Entry);
                        n++;
                    }
                    if (buffer.WrittenCount >= BatchBytes || reader.Completion.IsCompleted
                        || System.Diagnostics.Stopwatch.GetTimestamp() >= until) break;
                    await Task.Delay(1).ConfigureAwait(false);
                }
                try
                {
                    await _output.WriteAsync(buffer.WrittenMemory).ConfigureAwait(false);
                    await _output.FlushAsync().ConfigureAwait(false);
                    Interlocked.Add(ref _written, n);
                }
                catch (IOException)
                {
                    Interlocked.Add(ref _dropped, n); // stdout closed: nothing more to do than count
                }
                buffer.ResetWrittenCount();
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }

    internal static void WriteJson(Utf8JsonWriter w, ArrayBufferWriter<byte> buffer, AccessLogEntry e)
    {
        w.Reset(buffer);
        w.WriteStartObject();
        w.WriteString("start_time", e.StartTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        Str(w, "method", e.Method);
        Str(w, "x-envoy-origin-path", e.Path);
        Str(w, "protocol", e.Protocol);
        w.WriteNumber("response_code", e.ResponseCode);
        w.WriteString("response_flags", e.ResponseFlags);
        w.WriteNumber("bytes_received", e.BytesReceived);
        w.WriteNumber("bytes_sent", e.BytesSent);
        w.WriteNumber("duration", e.DurationMs);
        if (e.UpstreamServiceTimeMs is { } t) w.WriteString("x-envoy-upstream-service-time", t.ToString(CultureInfo.InvariantCulture));
        else w.WriteNull("x-envoy-upstream-service-time");
        Str(w, "x-forwarded-for", e.XForwardedFor);
        Str(w, "user-agent", e.UserAgent);
        Str(w, "x-request-id", e.RequestId);
        Str(w, ":authority", e.Authority);
        Str(w, "upstream_host", e.UpstreamHost);
        Str(w, "upstream_cluster", e.UpstreamCluster);
        Str(w, "downstream_remote_address", e.DownstreamRemoteAddress);
        Str(w, "requested_server_name", e.RequestedServerName);
        Str(w, "route_name", e.RouteName);
        Str(w, "trace_id", e.TraceId);
        w.WriteEndObject();
        w.Flush();
        buffer.Write("\n"u8);

        static void Str(Utf8JsonWriter w, string name, string? value)
        {
            if (value is null) w.WriteNull(name);
            else w.WriteString(name, value);
        }
    }

    /// <summary>Envoy's default text format.</summary>
    private static void WriteText(ArrayBufferWriter<byte> buffer, AccessLogEntry e)
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
        var bytes = Encoding.UTF8.GetBytes(sb.ToString());
        buffer.Write(bytes);

        static StringBuilder Quoted(StringBuilder sb, string? v) => sb.Append('"').Append(v is null ? "-" : v.Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
    }

    public void Collect(Causeway.Telemetry.MetricsWriter w)
    {
        const string name = "causeway_access_log_entries_total";
        const string help = "Access log entries written, or dropped because the queue was full (requests never wait for the log)";
        w.Add(name, Causeway.Telemetry.MetricType.Counter, help, ["result"], ["written"], Written);
        w.Add(name, Causeway.Telemetry.MetricType.Counter, help, ["result"], ["dropped"], Dropped);
    }

    /// <summary>Writes what is queued (within <paramref name="timeout"/>) and stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
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
