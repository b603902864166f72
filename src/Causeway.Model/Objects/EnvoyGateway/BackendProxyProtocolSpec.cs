using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>BackendTrafficPolicy <c>spec.proxyProtocol</c>: backend connections start with a PROXY header (V1 or V2).</summary>
public sealed record BackendProxyProtocolSpec
{
    public string? Version { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
