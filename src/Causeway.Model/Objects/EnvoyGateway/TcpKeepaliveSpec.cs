using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>BackendTrafficPolicy <c>spec.tcpKeepalive</c>: TCP keep-alive probes on backend connections.</summary>
public sealed record TcpKeepaliveSpec
{
    public int? Probes { get; init; }
    public string? IdleTime { get; init; }
    public string? Interval { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
