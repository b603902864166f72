using Causeway.Telemetry;

namespace Causeway.DataPlane.Telemetry;

/// <summary>
/// One listener's statistics (per gateway): requests in flight, and the requests that matched no route (counted with
/// <c>route=""</c> and their status, 404 or 421). <c>listener=""</c> stands for a request whose Host matched no
/// listener of its port.
/// </summary>
internal sealed class ListenerStats
{
    private readonly CounterTable _unmatched = new();
    private readonly Histogram?[] _durations = new Histogram?[6];
    private long _active;
    private int _used;

    public ListenerStats(string gateway, string listener)
    {
        Gateway = gateway;
        Listener = listener;
    }

    public string Gateway { get; }
    public string Listener { get; }
    public long Active => Interlocked.Read(ref _active);

    /// <summary>
    /// The Gateway's custom access log (EnvoyProxy <c>spec.telemetry.accessLog</c>), set by every apply; null: the data
    /// plane's default log. The completion hook reads it through the exchange's listener.
    /// </summary>
    public AccessLog.GatewayAccessLog? AccessLog { get; set; }

    public void Enter()
    {
        if (_used == 0) Volatile.Write(ref _used, 1);
        Interlocked.Increment(ref _active);
    }

    public void Exit() => Interlocked.Decrement(ref _active);

    public void RecordUnmatched(HttpMethodId method, int status, long durationTicks)
    {
        _unmatched.Add(MethodLabels.Key(method, status));
        var c = status / 100;
        c = c is >= 1 and <= 5 ? c : 0;
        var h = Volatile.Read(ref _durations[c]) ?? Interlocked.CompareExchange(ref _durations[c], new Histogram(), null) ?? _durations[c]!;
        h.ObserveTicks(durationTicks);
    }

    public void Collect(MetricsWriter w)
    {
        if (Volatile.Read(ref _used) == 0) return;
        w.Add(HttpMetrics.Active, MetricType.Gauge, HttpMetrics.ActiveHelp, HttpMetrics.ListenerLabels, [Gateway, Listener], Active);
        foreach (var (key, count) in _unmatched.Entries())
        {
            var (method, status) = MethodLabels.Unpack(key);
            w.Add(HttpMetrics.Requests, MetricType.Counter, HttpMetrics.RequestsHelp, HttpMetrics.RequestLabels,
                [Gateway, Listener, "", "", "", MethodLabels.Name(method), RouteStats.Code(status)], count);
        }
        for (var c = 0; c < _durations.Length; c++)
        {
            if (Volatile.Read(ref _durations[c]) is { } h)
                w.AddHistogram(HttpMetrics.Duration, HttpMetrics.DurationHelp, HttpMetrics.DurationLabels, [Gateway, Listener, "", RouteStats.CodeClass(c)], h.Snapshot());
        }
    }
}
