using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record PassiveHealthCheckSpec
{
    public int? Consecutive5XxErrors { get; init; }
    public int? ConsecutiveGatewayErrors { get; init; }
    public int? ConsecutiveLocalOriginFailures { get; init; }
    public bool? SplitExternalLocalOriginErrors { get; init; }
    public string? Interval { get; init; }
    public string? BaseEjectionTime { get; init; }
    public int? MaxEjectionPercent { get; init; }
    public bool? AlwaysEjectOneEndpoint { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
