using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary><c>connection.connectionLimit</c>.</summary>
public sealed record ConnectionLimitSpec
{
    public long? Value { get; init; }
    public string? CloseDelay { get; init; }
    public string? MaxConnectionDuration { get; init; }
    public long? MaxRequestsPerConnection { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
