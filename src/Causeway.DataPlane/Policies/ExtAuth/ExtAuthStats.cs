using Causeway.Telemetry;

namespace Causeway.DataPlane.Policies.ExtAuth;

/// <summary>What an ext auth policy's checks concluded, and how long they took (kept in the StateStore per policy).</summary>
internal sealed class ExtAuthStats(string policy)
{
    public const string Requests = "causeway_ext_auth_requests_total";
    public const string Duration = "causeway_ext_auth_duration_seconds";
    private static readonly string[] ResultLabels = ["policy", "result"];
    private static readonly string[] PolicyLabels = ["policy"];

    private readonly Histogram _duration = new();
    private long _allow;
    private long _deny;
    private long _error;

    public string Policy { get; } = policy;

    public long Allowed => Interlocked.Read(ref _allow);
    public long Denied => Interlocked.Read(ref _deny);
    public long Errors => Interlocked.Read(ref _error);

    /// <summary>A check ended (<paramref name="result"/>) after <paramref name="ticks"/> Stopwatch ticks.</summary>
    public void Record(ExtAuthResult result, long ticks)
    {
        switch (result)
        {
            case ExtAuthResult.Allow: Interlocked.Increment(ref _allow); break;
            case ExtAuthResult.Deny: Interlocked.Increment(ref _deny); break;
            default: Interlocked.Increment(ref _error); break;
        }
        _duration.ObserveTicks(ticks);
    }

    public void Collect(MetricsWriter w)
    {
        var allow = Allowed;
        var deny = Denied;
        var error = Errors;
        if (allow + deny + error == 0) return;
        const string help = "Checks by external authorization services, by what they concluded (error: the service failed or timed out)";
        w.Add(Requests, MetricType.Counter, help, ResultLabels, [Policy, "allow"], allow);
        w.Add(Requests, MetricType.Counter, help, ResultLabels, [Policy, "deny"], deny);
        w.Add(Requests, MetricType.Counter, help, ResultLabels, [Policy, "error"], error);
        w.AddHistogram(Duration, "Time to get an external authorization service's answer (or to give up on it)", PolicyLabels, [Policy], _duration.Snapshot());
    }
}
