using System.Collections.Concurrent;
using System.Diagnostics;

namespace Causeway.DataPlane.Policies.RateLimit;

/// <summary>
/// The buckets of one rate-limit rule on one route rule (or on every route of its policy when shared): one bucket, plus
/// one per distinct value when a condition is <c>Distinct</c>. Kept in the <see cref="StateStore"/> under what defines
/// them, so an apply that leaves the policy unchanged keeps the counts.
/// </summary>
internal sealed class RateLimitBuckets
{
    /// <summary>Distinct values tracked at most; beyond, the map starts over (counts of rare clients are forgotten).</summary>
    public const int MaxDistinct = 100_000;

    private readonly long _limit;
    private readonly long _unitSeconds;
    private readonly long _origin = Stopwatch.GetTimestamp();
    private readonly FixedWindowBucket _single;
    private readonly ConcurrentDictionary<string, FixedWindowBucket> _distinct = new(StringComparer.Ordinal);

    public RateLimitBuckets(long limit, long unitSeconds)
    {
        _limit = limit;
        _unitSeconds = unitSeconds;
        _single = new FixedWindowBucket(limit, unitSeconds, _origin);
    }

    /// <summary>The bucket for <paramref name="distinct"/> (null: the rule's one bucket).</summary>
    public FixedWindowBucket Get(string? distinct)
    {
        if (distinct is null) return _single;
        if (_distinct.TryGetValue(distinct, out var bucket)) return bucket;
        if (_distinct.Count >= MaxDistinct) _distinct.Clear();
        return _distinct.GetOrAdd(distinct, static (_, self) => new FixedWindowBucket(self._limit, self._unitSeconds, self._origin), this);
    }
}
