using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.Telemetry.Tracing;

/// <summary>
/// The data plane's tracers, one per Gateway with tracing configured: an apply keeps a Gateway's tracer while its
/// <see cref="TracingIr"/> is unchanged, starts one when tracing appears or changes, and retires (flushes and stops,
/// off the apply) the ones no Gateway asks for any more.
/// </summary>
internal sealed partial class GatewayTracers : IDisposable
{
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private Dictionary<string, GatewayTracer> _current = new(StringComparer.Ordinal);
    private Dictionary<string, GatewayTracer>? _next;
    private bool _disposed;

    public GatewayTracers(ILogger logger) => _logger = logger;

    public void BeginApply() => _next = new Dictionary<string, GatewayTracer>(StringComparer.Ordinal);

    /// <summary>The tracer of <paramref name="gateway"/> for this apply (null: tracing off, or it could not start).</summary>
    public GatewayTracer? For(GatewayIr gateway)
    {
        var next = _next ?? throw new InvalidOperationException("BeginApply first");
        if (gateway.Tracing is not { } ir) return null;
        if (next.TryGetValue(gateway.Name, out var made)) return made;
        if (_current.TryGetValue(gateway.Name, out var kept) && kept.Ir == ir) return next[gateway.Name] = kept;
        try
        {
            var tracer = new GatewayTracer(gateway.Name, ir);
            LogStarted(gateway.Name, ir.Endpoint, ir.Protocol, ir.SamplingRate);
            return next[gateway.Name] = tracer;
        }
        catch (Exception ex) when (ex is ArgumentException or UriFormatException or NotSupportedException or InvalidOperationException)
        {
            LogFailed(gateway.Name, ir.Endpoint, ex.Message);
            return null;
        }
    }

    /// <summary>Retires the tracers this apply did not keep (flushed in the background).</summary>
    public void EndApply()
    {
        var next = _next ?? throw new InvalidOperationException("BeginApply first");
        _next = null;
        List<GatewayTracer> retired;
        lock (_lock)
        {
            retired = [.. _current.Values.Where(t => !next.ContainsValue(t))];
            _current = next;
        }
        if (retired.Count > 0) _ = Task.Run(() => { foreach (var t in retired) t.Dispose(); });
    }

    /// <summary>Exports what every tracer has queued (tests).</summary>
    public void ForceFlush()
    {
        lock (_lock)
            foreach (var t in _current.Values) t.ForceFlush();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var t in _current.Values) t.Dispose();
            _current.Clear();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tracing for gateway {Gateway}: OTLP {Protocol} to {Endpoint}, sampling {Rate}% of requests without a parent decision")]
    private partial void LogStarted(string gateway, string endpoint, TracingProtocol protocol, double rate);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tracing for gateway {Gateway} cannot start (endpoint {Endpoint}): {Reason}")]
    private partial void LogFailed(string gateway, string endpoint, string reason);
}
