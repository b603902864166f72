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

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
