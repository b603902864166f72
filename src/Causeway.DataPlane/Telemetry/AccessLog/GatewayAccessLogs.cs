using Causeway.Telemetry;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.Telemetry.AccessLog;

/// <summary>
/// The data plane's custom access logs (EnvoyProxy <c>spec.telemetry.accessLog</c>), one per Gateway that has one, and
/// their sinks: <c>/dev/stdout</c> is the process's access log writer; every other file path has one writer (same
/// queue and batching), shared by the Gateways that name it and kept across applies while one does; an OTLP sink per
/// collector and resources. An apply keeps a Gateway's compiled log while its <see cref="AccessLogIr"/> is unchanged;
/// sinks no Gateway asks for any more are flushed and closed off the apply (a changed path is a new file).
/// </summary>
internal sealed partial class GatewayAccessLogs : IMetricsCollector, IAsyncDisposable
{
    private readonly AccessLogWriter? _stdout;
    private readonly Func<Stream> _stdoutStream;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private AccessLogWriter? _ownStdout;
    private Dictionary<string, GatewayAccessLog> _current = new(StringComparer.Ordinal);
    private Dictionary<string, FileSink> _files = new(StringComparer.Ordinal);
    private Dictionary<AccessLogSinkIr, OtlpAccessLogSink> _otlp = [];
    private Dictionary<string, GatewayAccessLog>? _next;
    private Dictionary<string, FileSink>? _nextFiles;
    private Dictionary<AccessLogSinkIr, OtlpAccessLogSink>? _nextOtlp;

    /// <param name="stdout">The process's access log writer (<c>causeway run</c>'s, whatever its default format); null: one of our own on stdout when a setting asks for it.</param>
    public GatewayAccessLogs(AccessLogWriter? stdout, ILogger logger, Func<Stream>? stdoutStream = null)
    {
        _stdout = stdout;
        _stdoutStream = stdoutStream ?? Console.OpenStandardOutput;
        _logger = logger;
    }

    public void BeginApply()
    {
        _next = new Dictionary<string, GatewayAccessLog>(StringComparer.Ordinal);
        _nextFiles = new Dictionary<string, FileSink>(StringComparer.Ordinal);
        _nextOtlp = [];
    }

    /// <summary>The Gateway's custom log for this apply; null: it has none (the default log applies).</summary>
    public GatewayAccessLog? For(GatewayIr gateway)
    {
        var next = _next ?? throw new InvalidOperationException("BeginApply first");
        if (gateway.AccessLog is not { } ir) return null;
        if (next.TryGetValue(gateway.Name, out var made)) return made;
        if (_current.TryGetValue(gateway.Name, out var kept) && kept.Ir == ir)
        {
            foreach (var s in ir.Settings) foreach (var sink in s.Sinks) Sink(sink); // still in use
            return next[gateway.Name] = kept;
        }
        var log = new GatewayAccessLog(ir, Sink);
        LogCompiled(gateway.Name, ir.Disabled ? "disabled" : $"{log.Settings} setting(s), request headers copied: [{string.Join(", ", log.Headers)}]");
        return next[gateway.Name] = log;
    }

    public void EndApply()
    {
        var next = _next ?? throw new InvalidOperationException("BeginApply first");
        List<FileSink> retiredFiles;
        List<OtlpAccessLogSink> retiredOtlp;
        lock (_lock)
        {
            retiredFiles = [.. _files.Where(f => !_nextFiles!.ContainsKey(f.Key)).Select(f => f.Value)];
            retiredOtlp = [.. _otlp.Where(o => !_nextOtlp!.ContainsKey(o.Key)).Select(o => o.Value)];
            _current = next;
            _files = _nextFiles!;
            _otlp = _nextOtlp!;
        }
        _next = null;
        _nextFiles = null;
        _nextOtlp = null;
        if (retiredFiles.Count > 0 || retiredOtlp.Count > 0)
            _ = Task.Run(async () =>
            {
                foreach (var f in retiredFiles) await f.DisposeAsync().ConfigureAwait(false);
                foreach (var o in retiredOtlp) o.Dispose();
            });
    }

    private IAccessLogSink? Sink(AccessLogSinkIr ir)
    {
        if (ir.Kind == AccessLogSinkKind.OpenTelemetry)
        {
            if (_nextOtlp!.TryGetValue(ir, out var o)) return o;
            if (!_otlp.TryGetValue(ir, out o))
            {
                try
                {
                    o = new OtlpAccessLogSink(ir);
                }
                catch (Exception ex) when (ex is ArgumentException or UriFormatException or NotSupportedException or InvalidOperationException)
                {
                    LogSinkFailed("OpenTelemetry " + ir.Endpoint, ex.Message);
                    return null;
                }
            }
            return _nextOtlp[ir] = o;
        }
        var path = ir.Path!;
        if (path == "/dev/stdout")
        {
            if (_stdout is not null) return _stdout;
            lock (_lock) return _ownStdout ??= new AccessLogWriter(AccessLogFormat.Off, _stdoutStream());
        }
        if (_nextFiles!.TryGetValue(path, out var f)) return f.Writer;
        if (!_files.TryGetValue(path, out f))
        {
            try
            {
                if (System.IO.Path.GetDirectoryName(path) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
                f = new FileSink(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                LogSinkFailed("file " + path, ex.Message);
                return null;
            }
        }
        _nextFiles[path] = f;
        return f.Writer;
    }

    public void Collect(MetricsWriter w)
    {
        const string name = "causeway_access_log_sink_entries_total";
        const string help = "Custom access log (EnvoyProxy) entries per file or OpenTelemetry sink: written, or dropped because the queue was full or the output failed";
        lock (_lock)
        {
            foreach (var (path, f) in _files)
            {
                w.Add(name, MetricType.Counter, help, ["sink", "result"], ["file:" + path, "written"], f.Writer.Written);
                w.Add(name, MetricType.Counter, help, ["sink", "result"], ["file:" + path, "dropped"], f.Writer.Dropped);
            }
            foreach (var (ir, o) in _otlp)
                w.Add(name, MetricType.Counter, help, ["sink", "result"], ["otlp:" + ir.Endpoint, "written"], o.Records);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<FileSink> files;
        List<OtlpAccessLogSink> otlp;
        AccessLogWriter? own;
        lock (_lock)
        {
            files = [.. _files.Values];
            otlp = [.. _otlp.Values];
            own = _ownStdout;
            _files.Clear();
            _otlp.Clear();
            _ownStdout = null;
        }
        foreach (var f in files) await f.DisposeAsync().ConfigureAwait(false);
        foreach (var o in otlp) o.Dispose();
        if (own is not null) await own.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A file sink: its writer and the file it owns (appended to, readable by others while open).</summary>
    private sealed class FileSink : IAsyncDisposable
    {
        private readonly FileStream _file;

        public FileSink(string path)
        {
            _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.Asynchronous);
            Writer = new AccessLogWriter(AccessLogFormat.Off, _file);
        }

        public AccessLogWriter Writer { get; }

        public async ValueTask DisposeAsync()
        {
            await Writer.DisposeAsync().ConfigureAwait(false);
            await _file.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Access log of gateway {Gateway} (EnvoyProxy): {Summary}")]
    private partial void LogCompiled(string gateway, string summary);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Access log sink {Sink} cannot open: {Reason}; its settings log to the other sinks")]
    private partial void LogSinkFailed(string sink, string reason);
}
