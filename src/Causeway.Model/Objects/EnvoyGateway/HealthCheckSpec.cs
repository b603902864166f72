using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record HealthCheckSpec
{
    public PassiveHealthCheckSpec? Passive { get; init; }
    public ActiveHealthCheckSpec? Active { get; init; }
    public int? PanicThreshold { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
