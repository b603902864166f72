using System.Diagnostics.Metrics;

namespace Causeway.DataPlane.Telemetry;

/// <summary>
/// The data plane's HTTP telemetry home: the completion hook every transport calls (<see cref="IExchangeObserver"/>),
/// counters per transport, hand-offs between transports, and the per-route <see cref="RouteStats"/> reached through
/// the exchange's plan. The counters are also published as instruments of the <c>Causeway.DataPlane</c>
/// <see cref="Meter"/> (exported by whoever listens; the exporter is the observability work's). One per data plane.
/// </summary>
internal sealed class HttpTelemetry : IExchangeObserver, IMetricsCollector, IDisposable
{
    public const string MeterName = "Causeway.DataPlane";

    private readonly long[] _started = new long[3];
    private readonly long[] _requests = new long[3];
    private readonly long[] _localReplies = new long[3];
    private long _unmatched;
    private long _relayHandOffs;
    private long _loopHandOffs;
    private readonly Meter _meter;

    private readonly StateStore _state;
    private readonly AccessLog.AccessLogger? _accessLog;

    public HttpTelemetry(StateStore state, AccessLog.AccessLogWriter? accessLog = null, IMeterFactory? meters = null)
    {
        _state = state;
        _accessLog = accessLog is null || accessLog.Format == AccessLog.AccessLogFormat.Off ? null : new AccessLog.AccessLogger(accessLog);
        _meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableCounter("causeway.http.exchanges", () => new[]
        {
            new Measurement<long>(Requests(TransportSet.EventLoop), new KeyValuePair<string, object?>("transport", "event-loop")),
            new Measurement<long>(Requests(TransportSet.Http1Relay), new KeyValuePair<string, object?>("transport", "http1-relay")),
            new Measurement<long>(Requests(TransportSet.Kestrel), new KeyValuePair<string, object?>("transport", "kestrel")),
        }, description: "HTTP exchanges completed, by transport");
        _meter.CreateObservableCounter("causeway.http.handoffs", () => new[]
        {
            new Measurement<long>(LoopHandOffs, new KeyValuePair<string, object?>("from", "event-loop")),
            new Measurement<long>(RelayHandOffs, new KeyValuePair<string, object?>("from", "http1-relay")),
        }, description: "Connections handed from a byte transport to the next");
    }

    /// <summary>Exchanges a transport took on (counted when it starts them, before the client can see an answer).</summary>
    public long Started(TransportSet transport) => Interlocked.Read(ref _started[Slot(transport)]);

    public void Start(TransportSet transport) => Interlocked.Increment(ref _started[Slot(transport)]);

    /// <summary>Exchanges completed on <paramref name="transport"/> (one flag).</summary>
    public long Requests(TransportSet transport) => Interlocked.Read(ref _requests[Slot(transport)]);

    /// <summary>Of <see cref="Requests"/>, those the gateway answered itself.</summary>
    public long LocalReplies(TransportSet transport) => Interlocked.Read(ref _localReplies[Slot(transport)]);

    /// <summary>Exchanges that matched no route.</summary>
    public long Unmatched => Interlocked.Read(ref _unmatched);

    /// <summary>Connections the Kestrel-side relay handed to the Kestrel pipeline.</summary>
    public long RelayHandOffs => Interlocked.Read(ref _relayHandOffs);

    /// <summary>Connections the event loops handed to Kestrel.</summary>
    public long LoopHandOffs => Interlocked.Read(ref _loopHandOffs);

    public void OnExchangeCompleted(in ExchangeSummary summary)
    {
        var slot = Slot(summary.Transport);
        Interlocked.Increment(ref _requests[slot]);
        if (summary.LocalReply) Interlocked.Increment(ref _localReplies[slot]);
        var duration = summary.EndTimestamp - summary.StartTimestamp;
        if (summary.Match is { } match)
        {
            var counters = summary.TargetIndex >= 0 ? match.TargetCounters[summary.TargetIndex] : match.Stats.NoBackend;
            match.Stats.Record(counters, summary.Method, summary.Status, duration);
        }
        else
        {
            Interlocked.Increment(ref _unmatched);
            summary.Listener?.RecordUnmatched(summary.Method, summary.Status, duration);
        }
        summary.Listener?.Exit();
        if (summary.Listener?.AccessLog is { } custom) custom.Record(summary);
        else _accessLog?.Record(summary);
        if (summary.Backend is { } backend && summary.UpstreamStart != 0)
            backend.Stats.RecordExchange(summary.Status, (summary.UpstreamEnd == 0 ? summary.EndTimestamp : summary.UpstreamEnd) - summary.UpstreamStart);
        if (summary.ServerSpan is not null) Tracing.SpanEnds.Record(summary);
    }

    /// <summary>The data plane's series: routes, listeners and backends that have seen traffic (and every backend's endpoints).</summary>
    public void Collect(MetricsWriter w)
    {
        w.Declare(HttpMetrics.Requests, MetricType.Counter, HttpMetrics.RequestsHelp, HttpMetrics.RequestLabels);
        foreach (var l in _state.Values<ListenerStats>()) l.Collect(w);
        foreach (var r in _state.Values<RouteStats>()) r.Collect(w);
        foreach (var b in _state.Values<BackendStats>()) b.Collect(w);
        foreach (var e in _state.Values<Policies.ExtAuth.ExtAuthStats>()) e.Collect(w);
        foreach (var c in _state.Values<Policies.Csrf.CsrfStats>()) c.Collect(w);
    }

    public void HandOff(TransportSet from)
    {
        if (from == TransportSet.EventLoop) Interlocked.Increment(ref _loopHandOffs);
        else Interlocked.Increment(ref _relayHandOffs);
    }

    private static int Slot(TransportSet transport) => transport switch
    {
        TransportSet.EventLoop => 0,
        TransportSet.Http1Relay => 1,
        _ => 2,
    };

    public void Dispose() => _meter.Dispose();
}
