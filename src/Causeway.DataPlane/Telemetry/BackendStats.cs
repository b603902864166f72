using Causeway.Telemetry;

namespace Causeway.DataPlane.Telemetry;

/// <summary>One backend's statistics (shared by every route that uses it): upstream durations, retries, retry overflows, connect errors.</summary>
internal sealed class BackendStats
{
    private readonly Histogram?[] _durations = new Histogram?[6];
    private long _retries;
    private long _connectErrors;
    private long _retryOverflows;
    private int _used;

    public BackendStats(string backend) => Backend = backend;

    public string Backend { get; }

    /// <summary>Ready endpoints, as of the last apply.</summary>
    public int ReadyEndpoints { get; set; }

    /// <summary>The active health checks of this backend (a BackendTrafficPolicy's; the last one applied), or null.</summary>
    public Upstream.Health.ActiveHealthChecker? Active { get; set; }

    public long Retries => Interlocked.Read(ref _retries);
    public long ConnectErrors => Interlocked.Read(ref _connectErrors);

    /// <summary>Retries not made because the circuit breaker had no room for another retry in flight.</summary>
    public long RetryOverflows => Interlocked.Read(ref _retryOverflows);

    public void RecordExchange(int status, long durationTicks)
    {
        if (_used == 0) Volatile.Write(ref _used, 1);
        var c = status / 100;
        c = c is >= 1 and <= 5 ? c : 0;
        var h = Volatile.Read(ref _durations[c]) ?? Interlocked.CompareExchange(ref _durations[c], new Histogram(), null) ?? _durations[c]!;
        h.ObserveTicks(durationTicks);
    }

    public void Retry()
    {
        if (_used == 0) Volatile.Write(ref _used, 1);
        Interlocked.Increment(ref _retries);
    }

    public void RetryOverflow()
    {
        if (_used == 0) Volatile.Write(ref _used, 1);
        Interlocked.Increment(ref _retryOverflows);
    }

    public void ConnectError()
    {
        if (_used == 0) Volatile.Write(ref _used, 1);
        Interlocked.Increment(ref _connectErrors);
    }

    public void Collect(MetricsWriter w)
    {
        // Endpoint counts are exported for every backend (an alert on "no ready endpoints" must not wait for traffic).
        w.Add(HttpMetrics.Endpoints, MetricType.Gauge, "Backend endpoints by state", ["backend", "state"], [Backend, "ready"], ReadyEndpoints);
        if (Active is { Stopped: false } active)
        {
            w.Add(HttpMetrics.Endpoints, MetricType.Gauge, "Backend endpoints by state", ["backend", "state"], [Backend, "healthy"], active.HealthyCount);
            w.Add(HttpMetrics.Endpoints, MetricType.Gauge, "Backend endpoints by state", ["backend", "state"], [Backend, "unhealthy"], active.Count - active.HealthyCount);
            w.Add(HttpMetrics.HealthChecks, MetricType.Counter, "Active health check probes by result", ["backend", "result"], [Backend, "success"], active.Checks - active.Failures);
            w.Add(HttpMetrics.HealthChecks, MetricType.Counter, "Active health check probes by result", ["backend", "result"], [Backend, "failure"], active.Failures);
        }
        if (Volatile.Read(ref _used) == 0) return;
        w.Add(HttpMetrics.Retries, MetricType.Counter, "Retries of upstream requests", HttpMetrics.BackendLabels, [Backend], Retries);
        if (RetryOverflows > 0)
            w.Add(HttpMetrics.RetryOverflows, MetricType.Counter, "Retries not made: the circuit breaker's retry limit was reached", HttpMetrics.BackendLabels, [Backend], RetryOverflows);
        w.Add(HttpMetrics.ConnectErrors, MetricType.Counter, "Connections to the backend that could not be made", HttpMetrics.BackendLabels, [Backend], ConnectErrors);
        for (var c = 0; c < _durations.Length; c++)
        {
            if (Volatile.Read(ref _durations[c]) is { } h)
                w.AddHistogram(HttpMetrics.UpstreamDuration, HttpMetrics.UpstreamDurationHelp, HttpMetrics.UpstreamLabels, [Backend, RouteStats.CodeClass(c)], h.Snapshot());
        }
    }
}
