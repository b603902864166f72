namespace Causeway.Telemetry;

/// <summary>
/// A fixed-bucket histogram of durations: one increment of a bucket, the count and the sum per observation, no
/// allocation and no lock. Bounds are in seconds (the OpenTelemetry HTTP advice by default); the sum is kept in
/// microseconds so it can be added atomically.
/// </summary>
public sealed class Histogram
{
    /// <summary>0.005 ... 10 s, as the OpenTelemetry semantic conventions advise for HTTP durations.</summary>
    public static readonly double[] HttpBounds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    private readonly double[] _bounds;
    private readonly long[] _limitsTicks;
    private readonly long[] _counts;
    private long _sumMicros;

    public Histogram(double[]? bounds = null)
    {
        _bounds = bounds ?? HttpBounds;
        _limitsTicks = [.. _bounds.Select(b => (long)(b * System.Diagnostics.Stopwatch.Frequency))];
        _counts = new long[_bounds.Length + 1];
    }

    public IReadOnlyList<double> Bounds => _bounds;

    /// <summary>Records a duration given in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    public void ObserveTicks(long ticks)
    {
        if (ticks < 0) ticks = 0;
        var limits = _limitsTicks;
        var i = 0;
        while (i < limits.Length && ticks > limits[i]) i++;
        Interlocked.Increment(ref _counts[i]);
        Interlocked.Add(ref _sumMicros, ticks * 1_000_000 / System.Diagnostics.Stopwatch.Frequency);
    }

    public void Observe(double seconds) => ObserveTicks((long)(seconds * System.Diagnostics.Stopwatch.Frequency));

    /// <summary>A consistent-enough copy for exposition: cumulative bucket counts (last is +Inf = count) and the sum.</summary>
    public HistogramSnapshot Snapshot()
    {
        var cumulative = new long[_counts.Length];
        long running = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            running += Interlocked.Read(ref _counts[i]);
            cumulative[i] = running;
        }
        return new HistogramSnapshot(_bounds, cumulative, Interlocked.Read(ref _sumMicros) / 1_000_000.0);
    }
}

/// <summary>Cumulative bucket counts (the last one is the +Inf bucket, i.e. the count) and the sum in seconds.</summary>
public sealed record HistogramSnapshot(double[] Bounds, long[] Cumulative, double Sum)
{
    public long Count => Cumulative[^1];

    /// <summary>Adds another snapshot with the same bounds (for an overflow series).</summary>
    public HistogramSnapshot Plus(HistogramSnapshot other) =>
        new(Bounds, [.. Cumulative.Zip(other.Cumulative, (a, b) => a + b)], Sum + other.Sum);
}
