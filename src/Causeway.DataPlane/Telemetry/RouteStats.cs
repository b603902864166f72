namespace Causeway.DataPlane.Telemetry;

/// <summary>
/// The statistics of one route rule, returned with the match (through its <see cref="RoutePlan"/>) so recording is a
/// few increments: no lookup, no label strings, no allocation. Kept in the <see cref="StateStore"/> under the rule's
/// name, so a reload that keeps the rule keeps its counts.
/// </summary>
internal sealed class RouteStats
{
    private long _requests;
    private long _localReplies;
    private long _aborted;
    private readonly long[] _byClass = new long[6];

    public RouteStats(string rule) => Rule = rule;

    public string Rule { get; }
    public long Requests => Interlocked.Read(ref _requests);
    public long LocalReplies => Interlocked.Read(ref _localReplies);
    public long Aborted => Interlocked.Read(ref _aborted);

    /// <summary>Responses by status class: index 1 for 1xx ... 5 for 5xx (0: anything else).</summary>
    public long StatusClass(int hundreds) => Interlocked.Read(ref _byClass[hundreds]);

    public void Record(in ExchangeSummary summary)
    {
        Interlocked.Increment(ref _requests);
        if (summary.LocalReply) Interlocked.Increment(ref _localReplies);
        if (summary.Aborted) Interlocked.Increment(ref _aborted);
        var c = summary.Status / 100;
        Interlocked.Increment(ref _byClass[c is >= 1 and <= 5 ? c : 0]);
    }
}
