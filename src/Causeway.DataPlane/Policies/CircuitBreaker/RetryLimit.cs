using System.Globalization;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.CircuitBreaker;

/// <summary>
/// BackendTrafficPolicy <c>circuitBreaker.maxParallelRetries</c> and <c>circuitBreaker.retryBudget</c>: how many retries
/// of a rule may be in flight at once. A retry holds a slot from the moment it is decided (its back-off included) until
/// the exchange completes or decides its next retry, as Envoy holds its retry resource; a retry that finds no slot is not
/// made and the failure it would have retried is answered (Envoy's retry overflow). With a budget the limit is the
/// fraction of the rule's requests in flight (the circuit breaker's gate), rounded down, and at least the minimum
/// concurrency; the budget takes precedence over <c>maxParallelRetries</c>. Compiled per apply; the retries in flight are
/// a <see cref="CircuitBreakerGate"/> kept in the <see cref="StateStore"/> by policy and rule, so they stay counted
/// across reloads (even ones that change the limits).
/// </summary>
internal sealed class RetryLimit
{
    private readonly CircuitBreakerGate _retries;
    private readonly CircuitBreakerGate _requests;
    private readonly long _max;
    private readonly double _fraction;
    private readonly long _minimum;
    private readonly bool _budget;

    public RetryLimit(CircuitBreakerIr ir, CircuitBreakerGate retries, CircuitBreakerGate requests)
    {
        _retries = retries;
        _requests = requests;
        _max = ir.MaxParallelRetries;
        if (ir.RetryBudget is { } budget)
        {
            _budget = true;
            _fraction = budget.Fraction;
            _minimum = budget.MinRetryConcurrency;
        }
    }

    /// <summary>The retries that may be in flight right now.</summary>
    public long Current => _budget ? Math.Max(_minimum, (long)(_fraction * _requests.InFlight)) : _max;

    /// <summary>Retries in flight now.</summary>
    public long InFlight => _retries.InFlight;

    /// <summary>Takes a retry slot, or false when the limit is reached (the caller answers the failure).</summary>
    public bool TryEnter() => _retries.TryEnter(Current);

    public void Release() => _retries.Release();

    public string Describe() => _budget
        ? $"retries<=max({_minimum}, {(_fraction * 100).ToString("0.###", CultureInfo.InvariantCulture)}% of in-flight) (retryBudget)"
        : $"retries<={_max} (maxParallelRetries)";
}
