using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>ClientTrafficPolicy <c>tls.clientValidation</c>: how client certificates are asked for and checked.</summary>
public sealed record ClientValidationSpec
{
    public IReadOnlyList<SecretObjectReference>? CaCertificateRefs { get; init; }

    /// <summary>Deprecated in favour of <see cref="Mode"/>: true accepts clients without a certificate.</summary>
    public bool? Optional { get; init; }

    /// <summary>Request, RequireAny, VerifyIfGiven or RequireAndVerify (the default).</summary>
    public string? Mode { get; init; }

    public bool? AllowExpiredCertificate { get; init; }
    public IReadOnlyList<string>? SpkiHashes { get; init; }
    public IReadOnlyList<string>? CertificateHashes { get; init; }
    public SubjectAltNamesSpec? SubjectAltNames { get; init; }
    public ClientCrlSpec? Crl { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
