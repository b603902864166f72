namespace Causeway.Translation.Ir;

/// <summary>Upper bounds on the work in flight for a route rule; beyond them the gateway answers 503 overloaded.</summary>
public sealed record CircuitBreakerIr
{
    public long MaxConnections { get; init; } = 1024;
    public long MaxPendingRequests { get; init; } = 1024;
    public long MaxParallelRequests { get; init; } = 1024;

    /// <summary>Retries of the rule in flight at once; a retry beyond it is not made (the failure is answered).</summary>
    public long MaxParallelRetries { get; init; } = 1024;

    /// <summary>When set, bounds the retries in flight instead of <see cref="MaxParallelRetries"/>.</summary>
    public RetryBudgetIr? RetryBudget { get; init; }

    /// <summary>
    /// A backend connection serves at most this many requests, then is closed rather than reused (null: unlimited).
    /// Connection pools are the backend's, so the translator also folds it into <see cref="BackendConnectionIr"/>.
    /// </summary>
    public long? MaxRequestsPerConnection { get; init; }

    /// <summary>
    /// <c>perEndpoint.maxConnections</c>: connections to one backend endpoint at most (null: not set). Connection pools
    /// are the backend's, so the translator folds it into <see cref="BackendConnectionIr"/>.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? MaxConnectionsPerEndpoint { get; init; }
}

/// <summary>
/// <c>circuitBreaker.retryBudget</c>: retries in flight may be <see cref="Fraction"/> of the requests in flight (rounded
/// down), and at least <see cref="MinRetryConcurrency"/>.
/// </summary>
public sealed record RetryBudgetIr
{
    /// <summary><c>percent.numerator / percent.denominator</c>, between 0 and 1.</summary>
    public double Fraction { get; init; }

    public long MinRetryConcurrency { get; init; } = 3;
}
