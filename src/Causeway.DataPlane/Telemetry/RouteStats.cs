using Causeway.Telemetry;

namespace Causeway.DataPlane.Telemetry;

/// <summary>
/// The statistics of one route rule on one listener of one gateway, reached through the matched route (no lookup, no
/// label strings, no allocation when a request is recorded). Kept in the <see cref="StateStore"/> under its labels,
/// so a reload that keeps the route keeps its counts; exported only once it has seen a request, so a route that never
/// sees traffic exposes no series.
/// </summary>
internal sealed class RouteStats
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, CounterTable> _byBackend = new(StringComparer.Ordinal);
    private readonly Histogram?[] _durations = new Histogram?[6];
    private int _used;

    public RouteStats(string gateway, string listener, string rule)
    {
        Gateway = gateway;
        Listener = listener;
        var cut = rule.IndexOf("/rule/", StringComparison.Ordinal);
        Route = cut < 0 ? rule : rule[..cut];
        Rule = cut < 0 ? "" : rule[(cut + "/rule/".Length)..];
        NoBackend = Backend("");
    }

    public string Gateway { get; }
    public string Listener { get; }

    /// <summary><c>httproute/ns/name</c> (or <c>grpcroute/...</c>).</summary>
    public string Route { get; }

    /// <summary>The rule's name, or its index.</summary>
    public string Rule { get; }

    /// <summary>Answers that involved no backend (redirects, direct responses, preflights, invalid backendRefs).</summary>
    public CounterTable NoBackend { get; }

    public bool Used => Volatile.Read(ref _used) != 0;

    /// <summary>The counters of one backend of this route (asked for at compile time, not per request).</summary>
    public CounterTable Backend(string backend)
    {
        lock (_lock)
        {
            if (!_byBackend.TryGetValue(backend, out var table)) _byBackend[backend] = table = new CounterTable();
            return table;
        }
    }

    public void Record(CounterTable counters, HttpMethodId method, int status, long durationTicks)
    {
        if (_used == 0) Volatile.Write(ref _used, 1);
        counters.Add(MethodLabels.Key(method, status));
        var c = status / 100;
        c = c is >= 1 and <= 5 ? c : 0;
        var h = Volatile.Read(ref _durations[c]) ?? Interlocked.CompareExchange(ref _durations[c], new Histogram(), null) ?? _durations[c]!;
        h.ObserveTicks(durationTicks);
    }

    /// <summary>Requests recorded so far, all backends and codes.</summary>
    public long Requests
    {
        get
        {
            lock (_lock) return _byBackend.Values.Sum(t => t.Entries().Sum(e => e.Count) + t.Overflow);
        }
    }

    public void Collect(MetricsWriter w)
    {
        if (!Used) return;
        KeyValuePair<string, CounterTable>[] backends;
        lock (_lock) backends = [.. _byBackend];
        foreach (var (backend, table) in backends)
        {
            foreach (var (key, count) in table.Entries())
            {
                var (method, status) = MethodLabels.Unpack(key);
                w.Add(HttpMetrics.Requests, MetricType.Counter, HttpMetrics.RequestsHelp, HttpMetrics.RequestLabels,
                    [Gateway, Listener, Route, Rule, backend, MethodLabels.Name(method), Code(status)], count);
            }
        }
        for (var c = 0; c < _durations.Length; c++)
        {
            if (Volatile.Read(ref _durations[c]) is { } h)
                w.AddHistogram(HttpMetrics.Duration, HttpMetrics.DurationHelp, HttpMetrics.DurationLabels, [Gateway, Listener, Route, CodeClass(c)], h.Snapshot());
        }
    }

    internal static string Code(int status) => status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static string CodeClass(int hundreds) => hundreds is >= 1 and <= 5 ? $"{hundreds}xx" : "other";
}
