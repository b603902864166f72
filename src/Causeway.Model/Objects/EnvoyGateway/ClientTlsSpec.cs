using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>ClientTrafficPolicy <c>tls</c>: TLS termination settings towards clients.</summary>
public sealed record ClientTlsSpec
{
    public string? MinVersion { get; init; }
    public string? MaxVersion { get; init; }
    public IReadOnlyList<string>? Ciphers { get; init; }
    public IReadOnlyList<string>? AlpnProtocols { get; init; }
    public IReadOnlyList<string>? EcdhCurves { get; init; }
    public IReadOnlyList<string>? SignatureAlgorithms { get; init; }
    public IReadOnlyList<string>? Fingerprints { get; init; }
    public ClientValidationSpec? ClientValidation { get; init; }
    public ClientTlsSessionSpec? Session { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
