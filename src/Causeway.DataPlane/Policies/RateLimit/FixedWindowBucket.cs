using System.Diagnostics;

namespace Causeway.DataPlane.Policies.RateLimit;

/// <summary>
/// A local rate-limit bucket as Envoy's token bucket behaves with Envoy Gateway's settings (max tokens = tokens per
/// fill = the limit, fill interval = the unit): full at the start of every interval, one token per request. Lock-free:
/// the interval number and the tokens used live in one 64-bit word updated by compare-and-swap.
/// </summary>
internal sealed class FixedWindowBucket
{
    private readonly long _origin;
    private readonly long _intervalTicks;
    private readonly long _limit;
    private long _state; // (interval << 32) | used

    public FixedWindowBucket(long limit, long unitSeconds, long origin)
    {
        _limit = Math.Clamp(limit, 0, uint.MaxValue - 1L);
        _intervalTicks = unitSeconds * Stopwatch.Frequency;
        _origin = origin;
    }

    public long Limit => _limit;

    /// <summary>Takes one token at <paramref name="now"/> (Stopwatch ticks); false when none is left in this interval.</summary>
    public bool TryTake(long now, out long remaining, out long resetSeconds)
    {
        var interval = Math.Max(0, now - _origin) / _intervalTicks;
        var next = _origin + (interval + 1) * _intervalTicks;
        resetSeconds = Math.Max(1, (next - now + Stopwatch.Frequency - 1) / Stopwatch.Frequency);
        while (true)
        {
            var state = Volatile.Read(ref _state);
            var used = (state >> 32) == interval ? state & uint.MaxValue : 0;
            if (used >= _limit)
            {
                remaining = 0;
                return false;
            }
            if (Interlocked.CompareExchange(ref _state, (interval << 32) | (used + 1), state) == state)
            {
                remaining = _limit - used - 1;
                return true;
            }
        }
    }
}
