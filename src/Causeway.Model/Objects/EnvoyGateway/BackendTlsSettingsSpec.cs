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

    /// <summary><c>Auto</c>, 1.0 ... 1.3.</summary>
    public string? MinVersion { get; init; }
    public string? MaxVersion { get; init; }

    /// <summary>TLS 1.2 cipher suites (OpenSSL or IANA names).</summary>
    public IReadOnlyList<string>? Ciphers { get; init; }

    /// <summary>ALPN offered to the backend; empty turns ALPN off.</summary>
    public IReadOnlyList<string>? AlpnProtocols { get; init; }

    /// <summary>A kubernetes.io/tls Secret (the Backend's namespace) presented to the backend.</summary>
    public SecretObjectReference? ClientCertificateRef { get; init; }
    public IReadOnlyList<string>? EcdhCurves { get; init; }
    public IReadOnlyList<string>? SignatureAlgorithms { get; init; }
    public IReadOnlyList<string>? Fingerprints { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the Backend's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
