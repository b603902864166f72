using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record CircuitBreakerSpec
{
    public long? MaxConnections { get; init; }
    public long? MaxPendingRequests { get; init; }
    public long? MaxParallelRequests { get; init; }
    public long? MaxParallelRetries { get; init; }
    public long? MaxRequestsPerConnection { get; init; }

    /// <summary>Retries in flight as a share of the requests in flight (takes precedence over <see cref="MaxParallelRetries"/>).</summary>
    public RetryBudgetSpec? RetryBudget { get; init; }

    /// <summary><c>perEndpoint</c>: limits per backend endpoint.</summary>
    public PerEndpointCircuitBreakerSpec? PerEndpoint { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}

/// <summary><c>circuitBreaker.retryBudget</c>: <c>percent</c> of the active requests, at least <c>minRetryConcurrency</c> (default 3).</summary>
public sealed record RetryBudgetSpec
{
    public RetryBudgetPercent? Percent { get; init; }
    public int? MinRetryConcurrency { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}

/// <summary><c>numerator / denominator</c> (denominator default 100).</summary>
public sealed record RetryBudgetPercent
{
    public int Numerator { get; init; }
    public int? Denominator { get; init; }
}

/// <summary><c>circuitBreaker.perEndpoint</c>.</summary>
public sealed record PerEndpointCircuitBreakerSpec
{
    public long? MaxConnections { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
