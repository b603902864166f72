using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record BackendSpec
{
    /// <summary><c>Endpoints</c> (default) or <c>DynamicResolver</c>.</summary>
    public string? Type { get; init; }
    public IReadOnlyList<BackendEndpointSpec> Endpoints { get; init; } = [];

    /// <summary><c>gateway.envoyproxy.io/h2c</c>, <c>gateway.envoyproxy.io/ws</c>, <c>gateway.envoyproxy.io/wss</c>.</summary>
    public IReadOnlyList<string> AppProtocols { get; init; } = [];
    public bool? Fallback { get; init; }
    public BackendTlsSettingsSpec? Tls { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the Backend's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
