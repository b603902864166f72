using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>A Backend's <c>tls</c>: how the gateway verifies the backend and what it sends as SNI.</summary>
public sealed record BackendTlsSettingsSpec
{
    public IReadOnlyList<LocalObjectReference> CaCertificateRefs { get; init; } = [];

    /// <summary><c>System</c>: the system trust store.</summary>
    public string? WellKnownCACertificates { get; init; }
    public bool? InsecureSkipVerify { get; init; }
    public string? Sni { get; init; }
    public bool? AutoSNIFromEndpointHostname { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the Backend's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
