using System.Diagnostics;
using Causeway.Translation.Ir;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Causeway.DataPlane.Telemetry.Tracing;

/// <summary>
/// One Gateway's tracing, built from its <see cref="TracingIr"/>: the sampling decision (made on the request's
/// <c>traceparent</c> before anything is created: an unsampled request allocates nothing), the SERVER and CLIENT
/// spans, and the OpenTelemetry tracer provider that exports them over OTLP. Its <see cref="ActivitySource"/> has a
/// name of its own, so tracers of other Gateways (and other data planes in the process) never see its spans.
/// Spans never become <see cref="Activity.Current"/>: a transport serves many requests on one thread.
/// </summary>
internal sealed class GatewayTracer : IDisposable
{
    public const string SourcePrefix = "Causeway.DataPlane.Tracing.";

    private readonly ActivitySource _source;
    private readonly TracerProvider _provider;
    private readonly KeyValuePair<string, object?>[] _fixedTags;
    private readonly CustomTagIr[] _headerTags;
    private readonly double _rate;

    public GatewayTracer(string gateway, TracingIr ir)
    {
        Ir = ir;
        _rate = ir.SamplingRate;
        var fixedTags = new List<KeyValuePair<string, object?>> { new("causeway.gateway", gateway) };
        var headerTags = new List<CustomTagIr>();
        foreach (var tag in ir.CustomTags)
        {
            switch (tag.Kind)
            {
                case CustomTagKind.Literal: fixedTags.Add(new(tag.Name, tag.Value)); break;
                case CustomTagKind.Environment:
                    if ((Environment.GetEnvironmentVariable(tag.Value) ?? tag.Default) is { } value) fixedTags.Add(new(tag.Name, value));
                    break;
                case CustomTagKind.RequestHeader: headerTags.Add(tag); break;
            }
        }
        _fixedTags = [.. fixedTags];
        _headerTags = [.. headerTags];
        var name = SourcePrefix + gateway + "#" + Guid.NewGuid().ToString("N");
        _source = new ActivitySource(name);
        var http = ir.Protocol == TracingProtocol.HttpProtobuf;
        _provider = Sdk.CreateTracerProviderBuilder()
            .AddSource(name)
            .SetSampler(new AlwaysOnSampler()) // the decision was ours, before the span existed
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(ir.ServiceName, serviceVersion: typeof(GatewayTracer).Assembly.GetName().Version?.ToString()))
            .AddOtlpExporter(o =>
            {
                o.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                o.Endpoint = new Uri(http ? ir.Endpoint.TrimEnd('/') + "/v1/traces" : ir.Endpoint);
            })
            .Build();
    }

    public TracingIr Ir { get; }

    /// <summary>
    /// Whether to trace a request: its parent's sampled flag when it carries a valid <c>traceparent</c>
    /// (parent-based), else the sampling rate. No allocation.
    /// </summary>
    public bool Samples(bool hasParent, bool parentSampled) => hasParent ? parentSampled : _rate switch
    {
        >= 100 => true,
        <= 0 => false,
        _ => Random.Shared.NextDouble() * 100 < _rate,
    };

    /// <summary>
    /// The SERVER span of a sampled request (<paramref name="parent"/>: the client's span, or default for a new trace),
    /// named <c>METHOD route</c> (<c>METHOD</c> when nothing matched), started <paramref name="startTimestamp"/>
    /// (Stopwatch ticks). Null when the tracer is shut down.
    /// </summary>
    public Activity? StartServer<TRequest>(in TRequest request, ActivityContext parent, HttpMethodId method, CompiledMatch? match,
        string? path, bool tls, TransportSet transport, long startTimestamp) where TRequest : struct, IRequestView
    {
        var methodName = MethodLabels.Name(method);
        var route = match?.Stats.Route;
        var name = string.IsNullOrEmpty(route) ? methodName : methodName + " " + route;
        var span = Start(name, ActivityKind.Server, parent, startTimestamp);
        if (span is null) return null;
        span.SetTag("http.request.method", methodName);
        if (!string.IsNullOrEmpty(route)) span.SetTag("http.route", route);
        if (path is not null) span.SetTag("url.path", path);
        span.SetTag("url.scheme", tls ? "https" : "http");
        span.SetTag("causeway.transport", transport switch
        {
            TransportSet.EventLoop => "event-loop",
            TransportSet.Http1Relay => "http1-relay",
            _ => "kestrel",
        });
        foreach (var tag in _fixedTags) span.SetTag(tag.Key, tag.Value);
        foreach (var tag in _headerTags)
        {
            var value = request.TryGetHeader(tag.Value, out var values) && values.Count > 0 ? values.ToString() : tag.Default;
            if (value is not null) span.SetTag(tag.Name, value);
        }
        return span;
    }

    /// <summary>
    /// The CLIENT span of one upstream attempt, a child of <paramref name="server"/> (which started at
    /// <paramref name="serverStart"/>), starting now; null when shut down. Its times are measured from the SERVER span's
    /// start, so they never fall outside it.
    /// </summary>
    public Activity? StartClient(Activity server, long serverStart, HttpMethodId method, BackendRuntime? backend, int attempt)
    {
        var methodName = MethodLabels.Name(method);
        var current = Activity.Current;
        if (current is not null) Activity.Current = null;
        var start = server.StartTimeUtc + Stopwatch.GetElapsedTime(serverStart);
        var span = _source.StartActivity(backend is null ? methodName : methodName + " " + backend.Id, ActivityKind.Client, server.Context, startTime: start);
        Activity.Current = current;
        if (span is null) return null;
        span.SetTag("http.request.method", methodName);
        if (backend is not null) span.SetTag("causeway.backend", backend.Id);
        if (attempt > 0) span.SetTag("http.request.resend_count", attempt);
        foreach (var tag in _fixedTags) span.SetTag(tag.Key, tag.Value);
        return span;
    }

    private Activity? Start(string name, ActivityKind kind, ActivityContext parent, long startTimestamp)
    {
        var current = Activity.Current;
        if (current is not null) Activity.Current = null; // a default parent must not mean "the ambient span"
        var start = DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(startTimestamp);
        var span = _source.StartActivity(name, kind, parent, startTime: start);
        Activity.Current = current;
        return span;
    }

    /// <summary>Sends what is queued now (tests; configuration changes).</summary>
    public bool ForceFlush(int timeoutMilliseconds = 5000) => _provider.ForceFlush(timeoutMilliseconds);

    /// <summary>Flushes and stops the exporter; spans ended later are dropped.</summary>
    public void Dispose()
    {
        _provider.Dispose();
        _source.Dispose();
    }
}
