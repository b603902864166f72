using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>ClientTrafficPolicy <c>timeout</c>.</summary>
public sealed record ClientTimeoutSpec
{
    public ClientHttpTimeoutSpec? Http { get; init; }
    public ClientTcpTimeoutSpec? Tcp { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
