namespace Causeway.DataPlane.Policies.CircuitBreaker;

/// <summary>
/// The requests in flight to a route rule's backends under a circuit breaker: a slot is taken before the upstream
/// exchange and given back by the completion hook. Kept in the <see cref="StateStore"/> by policy, rule and limits, so
/// requests in flight across a reload are still counted.
/// </summary>
internal sealed class CircuitBreakerGate(long limit)
{
    private long _inFlight;

    public long Limit { get; } = limit;

    public long InFlight => Volatile.Read(ref _inFlight);

    public bool TryEnter() => TryEnter(Limit);

    /// <summary>Takes a slot if fewer than <paramref name="limit"/> are held (a limit that moves with the load: a retry budget).</summary>
    public bool TryEnter(long limit)
    {
        while (true)
        {
            var current = Volatile.Read(ref _inFlight);
            if (current >= limit) return false;
            if (Interlocked.CompareExchange(ref _inFlight, current + 1, current) == current) return true;
        }
    }

    /// <summary>Takes a slot whatever the count (an Envoy worker's first connection to an endpoint, which its pool always opens).</summary>
    public void Enter() => Interlocked.Increment(ref _inFlight);

    public void Release() => Interlocked.Decrement(ref _inFlight);
}
