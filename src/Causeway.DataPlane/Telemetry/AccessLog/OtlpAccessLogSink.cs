using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;

namespace Causeway.DataPlane.Telemetry.AccessLog;

/// <summary>
/// An OpenTelemetry access log sink: each line becomes an OTLP log record (gRPC) with the sink's resource attributes
/// (plus <c>k8s.pod.name</c>/<c>k8s.namespace.name</c> from <c>POD_NAME</c>/<c>POD_NAMESPACE</c> when set).
/// A Text format gives the record's body; a JSON format gives its attributes (typed, as the JSON line). Records are
/// batched and exported in the background by the OpenTelemetry SDK (a full batch queue drops, a request never waits).
/// </summary>
internal sealed class OtlpAccessLogSink : IAccessLogSink, IDisposable
{
    private readonly ILoggerFactory _factory;
    private readonly ILogger _logger;
    private long _records;

    public OtlpAccessLogSink(AccessLogSinkIr ir)
    {
        Ir = ir;
        var attributes = ir.Resources.Select(r => new KeyValuePair<string, object>(r.Name, r.Format)).ToList();
        // As Envoy Gateway in Kubernetes: the proxy pod's name and namespace (when its environment has them).
        foreach (var (name, variable) in new[] { ("k8s.pod.name", "POD_NAME"), ("k8s.namespace.name", "POD_NAMESPACE") })
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value && !attributes.Exists(a => a.Key == name))
                attributes.Add(new(name, value));
        var resource = ResourceBuilder.CreateEmpty().AddAttributes(attributes);
        _factory = LoggerFactory.Create(b => b.AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(resource);
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = false;
            o.ParseStateValues = true;
            o.AddOtlpExporter((exporter, processor) =>
            {
                exporter.Protocol = OtlpExportProtocol.Grpc;
                exporter.Endpoint = new Uri(ir.Endpoint!);
                processor.BatchExportProcessorOptions.ScheduledDelayMilliseconds = 1000;
            });
        }));
        _logger = _factory.CreateLogger("causeway.access_log");
    }

    public AccessLogSinkIr Ir { get; }
    public long Records => Interlocked.Read(ref _records);

    public void Enqueue(AccessLogEntry entry, LineFormatter formatter)
    {
        var state = new Record(formatter.IsText ? formatter.TextBody(entry) : "", formatter.IsText ? [] : formatter.Attributes(entry));
        _logger.Log(LogLevel.Information, default, state, null, static (s, _) => s.Body);
        Interlocked.Increment(ref _records);
    }

    /// <summary>Exports what is batched and stops.</summary>
    public void Dispose() => _factory.Dispose();

    /// <summary>The record's state: its attributes, and the body given as the formatted message.</summary>
    private sealed class Record(string body, List<KeyValuePair<string, object?>> attributes) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Body { get; } = body;
        public KeyValuePair<string, object?> this[int index] => attributes[index];
        public int Count => attributes.Count;
        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => attributes.GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        public override string ToString() => Body;
    }
}
