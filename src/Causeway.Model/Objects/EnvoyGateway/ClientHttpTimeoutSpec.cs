using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>ClientTrafficPolicy <c>timeout.http</c>.</summary>
public sealed record ClientHttpTimeoutSpec
{
    public string? RequestReceivedTimeout { get; init; }
    public string? IdleTimeout { get; init; }
    public string? RequestHeadersReceivedTimeout { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
