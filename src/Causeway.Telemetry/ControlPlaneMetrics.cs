namespace Causeway.Telemetry;

/// <summary>
/// The control plane's metrics: configuration reloads by result, translation time, propagation (a file change or API
/// event until the data plane serves it), the generation being served, and in Kubernetes mode status writes,
/// connected proxies, configuration pushes and the proxies' answers to them.
/// </summary>
public sealed class ControlPlaneMetrics : IMetricsCollector
{
    private static readonly double[] SecondsBounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    private long _reloadsOk;
    private long _reloadsFailed;
    private long _generation;
    private long _statusWrites;
    private long _statusWriteErrors;
    private long _proxiesConnected;
    private long _pushes;
    private long _acks;
    private long _nacks;

    public Histogram TranslateDuration { get; } = new(SecondsBounds);
    public Histogram Propagation { get; } = new(SecondsBounds);

    public long Generation => Interlocked.Read(ref _generation);

    public void Reloaded(bool ok, long generation)
    {
        if (ok)
        {
            Interlocked.Increment(ref _reloadsOk);
            Interlocked.Exchange(ref _generation, generation);
        }
        else Interlocked.Increment(ref _reloadsFailed);
    }

    public void StatusWritten(bool ok) => Interlocked.Increment(ref ok ? ref _statusWrites : ref _statusWriteErrors);

    public void ProxyConnected() => Interlocked.Increment(ref _proxiesConnected);
    public void ProxyDisconnected() => Interlocked.Decrement(ref _proxiesConnected);
    public void Pushed() => Interlocked.Increment(ref _pushes);
    public void Answered(bool ack) => Interlocked.Increment(ref ack ? ref _acks : ref _nacks);

    public void Collect(MetricsWriter w)
    {
        const string reloads = "causeway_config_reloads_total";
        const string reloadsHelp = "Configuration reloads by result (failure: the last good configuration kept serving)";
        w.Add(reloads, MetricType.Counter, reloadsHelp, ["result"], ["success"], Interlocked.Read(ref _reloadsOk));
        w.Add(reloads, MetricType.Counter, reloadsHelp, ["result"], ["failure"], Interlocked.Read(ref _reloadsFailed));
        w.Add("causeway_config_generation", MetricType.Gauge, "The configuration version being served", [], [], Generation);
        w.AddHistogram("causeway_translate_duration_seconds", "Time to translate a snapshot into the data-plane configuration", [], [], TranslateDuration.Snapshot());
        w.AddHistogram("causeway_config_propagation_seconds", "From a file change or API event until the data plane serves it", [], [], Propagation.Snapshot());
        if (Interlocked.Read(ref _statusWrites) + Interlocked.Read(ref _statusWriteErrors) + Interlocked.Read(ref _pushes) + Interlocked.Read(ref _proxiesConnected) == 0) return;
        const string writes = "causeway_status_writes_total";
        w.Add(writes, MetricType.Counter, "Status subresource writes by result", ["result"], ["success"], Interlocked.Read(ref _statusWrites));
        w.Add(writes, MetricType.Counter, "Status subresource writes by result", ["result"], ["failure"], Interlocked.Read(ref _statusWriteErrors));
        w.Add("causeway_proxies_connected", MetricType.Gauge, "Proxies connected to the controller", [], [], Interlocked.Read(ref _proxiesConnected));
        w.Add("causeway_config_pushes_total", MetricType.Counter, "Configuration snapshots pushed to proxies", [], [], Interlocked.Read(ref _pushes));
        const string answers = "causeway_config_push_answers_total";
        w.Add(answers, MetricType.Counter, "Proxies' answers to pushed configurations", ["result"], ["ack"], Interlocked.Read(ref _acks));
        w.Add(answers, MetricType.Counter, "Proxies' answers to pushed configurations", ["result"], ["nack"], Interlocked.Read(ref _nacks));
    }
}
