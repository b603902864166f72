namespace Causeway.Telemetry;

/// <summary>Something that writes its samples into a scrape.</summary>
public interface IMetricsCollector
{
    void Collect(MetricsWriter writer);
}

/// <summary>
/// The process's metrics: collectors registered by each stage (data plane, control plane, process), asked for their
/// samples on every scrape. Collectors keep their own counters; nothing here is on a request's path.
/// </summary>
public sealed class MetricsRegistry
{
    private readonly Lock _lock = new();
    private readonly List<IMetricsCollector> _collectors = [];
    private long _dropped;

    public MetricsRegistry(int maxSeriesPerMetric = 2000) => MaxSeriesPerMetric = maxSeriesPerMetric;

    public int MaxSeriesPerMetric { get; }

    public void Register(IMetricsCollector collector)
    {
        lock (_lock) _collectors.Add(collector);
    }

    public void Unregister(IMetricsCollector collector)
    {
        lock (_lock) _collectors.Remove(collector);
    }

    /// <summary>One scrape in the Prometheus text format.</summary>
    public void WriteTo(TextWriter output)
    {
        IMetricsCollector[] collectors;
        lock (_lock) collectors = [.. _collectors];
        var writer = new MetricsWriter(MaxSeriesPerMetric);
        foreach (var c in collectors) c.Collect(writer);
        var dropped = Interlocked.Add(ref _dropped, writer.Dropped);
        writer.Add("causeway_metrics_series_dropped_total", MetricType.Counter,
            $"Series folded into an overflow series because a metric had more than {MaxSeriesPerMetric}", [], [], dropped);
        writer.WriteTo(output);
    }

    public string Render()
    {
        using var sw = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        WriteTo(sw);
        return sw.ToString();
    }
}
