using System.Diagnostics;

namespace Causeway.DataPlane.Policies.Bandwidth;

/// <summary>
/// One direction's token bucket of a rule's <c>bandwidthLimit</c>, shared by every exchange of the rule in flight (as
/// Envoy's bandwidth limit filter shares one bucket per route): it fills at the limit's rate up to one second's worth
/// (Envoy's bucket size; it starts full), and a transfer takes what it moves, going into debt; a caller in debt waits
/// for the time the rate needs to repay it. Kept in the <see cref="StateStore"/> across applies that keep its settings.
/// </summary>
internal sealed class BandwidthBucket
{
    private readonly Lock _lock = new();
    private readonly double _bytesPerSecond;
    private readonly double _capacity;
    private double _tokens;
    private long _stamp;

    public BandwidthBucket(long bytes, int unitSeconds)
    {
        _bytesPerSecond = Math.Max(1.0, (double)bytes / Math.Max(1, unitSeconds));
        _capacity = _bytesPerSecond;
        _tokens = _capacity;
        _stamp = Stopwatch.GetTimestamp();
        // About 50 ms of the rate per write or read (Envoy's fill interval), so pacing stays smooth at any rate.
        Chunk = (int)Math.Clamp(_bytesPerSecond / 20, 64, 64 * 1024);
    }

    /// <summary>The most a paced stream moves before asking the bucket again.</summary>
    public int Chunk { get; }

    /// <summary>Takes <paramref name="bytes"/>; the time the caller must wait before moving more (zero: none).</summary>
    public TimeSpan Take(int bytes)
    {
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            _tokens = Math.Min(_capacity, _tokens + Stopwatch.GetElapsedTime(_stamp, now).TotalSeconds * _bytesPerSecond);
            _stamp = now;
            _tokens -= bytes;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _bytesPerSecond);
        }
    }
}
