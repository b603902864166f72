namespace Causeway.Translation.Ir;

/// <summary>Upper bounds on the work in flight for a route rule; beyond them the gateway answers 503 overloaded.</summary>
public sealed record CircuitBreakerIr
{
    public long MaxConnections { get; init; } = 1024;
    public long MaxPendingRequests { get; init; } = 1024;
    public long MaxParallelRequests { get; init; } = 1024;
    public long MaxParallelRetries { get; init; } = 1024;
}
