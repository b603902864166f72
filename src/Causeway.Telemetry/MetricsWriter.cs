using System.Globalization;
using System.Text;

namespace Causeway.Telemetry;

public enum MetricType { Counter, Gauge, Histogram }

/// <summary>
/// Collects one scrape's samples from every collector, grouped by metric family, and writes them in the Prometheus
/// text format (0.0.4). Each family keeps at most <see cref="MaxSeriesPerMetric"/> series: the rest are summed into
/// one series whose labels all read <c>overflow</c>, and counted in <c>causeway_metrics_series_dropped_total</c>.
/// </summary>
public sealed class MetricsWriter
{
    private readonly Dictionary<string, Family> _families = new(StringComparer.Ordinal);

    public MetricsWriter(int maxSeriesPerMetric = 2000) => MaxSeriesPerMetric = maxSeriesPerMetric;

    public int MaxSeriesPerMetric { get; }

    /// <summary>Series folded into overflow series during this scrape.</summary>
    public long Dropped { get; private set; }

    private sealed class Family(string name, MetricType type, string help, string[] labels)
    {
        public string Name { get; } = name;
        public MetricType Type { get; } = type;
        public string Help { get; } = help;
        public string[] Labels { get; } = labels;
        public Dictionary<string, (string[] Values, double Value, HistogramSnapshot? Histogram)> Series { get; } = new(StringComparer.Ordinal);
        public double OverflowValue { get; set; }
        public HistogramSnapshot? OverflowHistogram { get; set; }
        public bool HasOverflow { get; set; }
    }

    private Family Get(string name, MetricType type, string help, string[] labels)
    {
        if (_families.TryGetValue(name, out var f))
        {
            if (f.Type != type || !f.Labels.SequenceEqual(labels))
                throw new InvalidOperationException($"metric {name} was declared with another type or labels");
            return f;
        }
        return _families[name] = new Family(name, type, help, labels);
    }

    /// <summary>Declares a family with no samples yet (so HELP/TYPE appear; e.g. a counter that is still zero).</summary>
    public void Declare(string name, MetricType type, string help, params string[] labels) => Get(name, type, help, labels);

    /// <summary>Adds to a counter or gauge series (samples with the same labels add up).</summary>
    public void Add(string name, MetricType type, string help, string[] labels, string[] values, double value)
    {
        var f = Get(name, type, help, labels);
        var key = string.Join('\u0001', values);
        if (f.Series.TryGetValue(key, out var existing))
        {
            f.Series[key] = (existing.Values, existing.Value + value, null);
            return;
        }
        if (f.Series.Count >= MaxSeriesPerMetric)
        {
            Dropped++;
            f.HasOverflow = true;
            f.OverflowValue += value;
            return;
        }
        f.Series[key] = (values, value, null);
    }

    public void AddHistogram(string name, string help, string[] labels, string[] values, HistogramSnapshot histogram)
    {
        var f = Get(name, MetricType.Histogram, help, labels);
        var key = string.Join('\u0001', values);
        if (f.Series.TryGetValue(key, out var existing))
        {
            f.Series[key] = (existing.Values, 0, existing.Histogram!.Plus(histogram));
            return;
        }
        if (f.Series.Count >= MaxSeriesPerMetric)
        {
            Dropped++;
            f.HasOverflow = true;
            f.OverflowHistogram = f.OverflowHistogram is null ? histogram : f.OverflowHistogram.Plus(histogram);
            return;
        }
        f.Series[key] = (values, 0, histogram);
    }

    /// <summary>The exposition, families sorted by name and series by labels (stable output).</summary>
    public void WriteTo(TextWriter w)
    {
        foreach (var f in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            w.Write("# HELP "); w.Write(f.Name); w.Write(' '); w.Write(EscapeHelp(f.Help)); w.Write('\n');
            w.Write("# TYPE "); w.Write(f.Name); w.Write(' ');
            w.Write(f.Type switch { MetricType.Counter => "counter", MetricType.Gauge => "gauge", _ => "histogram" });
            w.Write('\n');
            foreach (var (_, s) in f.Series.OrderBy(s => s.Key, StringComparer.Ordinal)) WriteSeries(w, f, s.Values, s.Value, s.Histogram);
            if (f.HasOverflow)
            {
                var overflow = Enumerable.Repeat("overflow", f.Labels.Length).ToArray();
                WriteSeries(w, f, overflow, f.OverflowValue, f.OverflowHistogram);
            }
        }
    }

    private static void WriteSeries(TextWriter w, Family f, string[] values, double value, HistogramSnapshot? h)
    {
        if (h is null)
        {
            WriteSample(w, f.Name, f.Labels, values, null, value);
            return;
        }
        for (var i = 0; i < h.Cumulative.Length; i++)
        {
            var le = i < h.Bounds.Length ? Format(h.Bounds[i]) : "+Inf";
            WriteSample(w, f.Name + "_bucket", f.Labels, values, le, h.Cumulative[i]);
        }
        WriteSample(w, f.Name + "_sum", f.Labels, values, null, h.Sum);
        WriteSample(w, f.Name + "_count", f.Labels, values, null, h.Count);
    }

    private static void WriteSample(TextWriter w, string name, string[] labels, string[] values, string? le, double value)
    {
        w.Write(name);
        if (labels.Length > 0 || le is not null)
        {
            w.Write('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0) w.Write(',');
                w.Write(labels[i]); w.Write("=\""); w.Write(EscapeLabel(values[i])); w.Write('"');
            }
            if (le is not null)
            {
                if (labels.Length > 0) w.Write(',');
                w.Write("le=\""); w.Write(le); w.Write('"');
            }
            w.Write('}');
        }
        w.Write(' ');
        w.Write(Format(value));
        w.Write('\n');
    }

    private static string Format(double v) =>
        double.IsPositiveInfinity(v) ? "+Inf" : double.IsNaN(v) ? "NaN" : v.ToString("R", CultureInfo.InvariantCulture);

    private static string EscapeLabel(string v)
    {
        if (v.AsSpan().IndexOfAny("\\\"\n") < 0) return v;
        var sb = new StringBuilder(v.Length + 8);
        foreach (var c in v)
        {
            sb.Append(c switch { '\\' => "\\\\", '"' => "\\\"", '\n' => "\\n", _ => c.ToString() });
        }
        return sb.ToString();
    }

    private static string EscapeHelp(string v) => v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
