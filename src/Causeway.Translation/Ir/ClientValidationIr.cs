using System.Text.Json.Serialization;
using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>
/// Whether a client certificate is asked for, and which one passes. Gateway API's AllowValidOnly and Envoy Gateway's
/// RequireAndVerify: a certificate chaining to the CAs is required. AllowInsecureFallback (Envoy Gateway's Request): one is
/// asked for, anything (or nothing) passes. VerifyIfGiven: none passes, one given must be valid. RequireAny: one is
/// required, not checked.
/// </summary>
public enum ClientValidationMode { AllowValidOnly, AllowInsecureFallback, VerifyIfGiven, RequireAny }

/// <summary>
/// Frontend client-certificate validation of an HTTPS listener, from the Gateway's <c>spec.tls.frontend</c> or a
/// ClientTrafficPolicy's <c>tls.clientValidation</c>: one shape, compiled by the data plane into one validator.
/// </summary>
public sealed record ClientValidationIr
{
    /// <summary>PEM CA certificates clients must chain to (empty when the mode does not verify).</summary>
    public required string CaBundlePem { get; init; }
    public ClientValidationMode Mode { get; init; } = ClientValidationMode.AllowValidOnly;

    /// <summary>An expired (or not yet valid) certificate passes when the rest of its chain is valid.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool AllowExpired { get; init; }

    /// <summary>Base64 SHA-256 digests of the leaf's SubjectPublicKeyInfo; non-empty: one must match.</summary>
    public EquatableArray<string>? SpkiHashes { get; init; }

    /// <summary>Lowercase hex SHA-256 digests of the leaf's DER; non-empty: one must match.</summary>
    public EquatableArray<string>? CertificateHashes { get; init; }

    /// <summary>Subject alternative name matchers; non-empty: one must match a SAN of the leaf.</summary>
    public EquatableArray<SanMatcherIr>? SubjectAltNames { get; init; }

    /// <summary>PEM (or DER as base64 in PEM armour) revocation lists; a revoked certificate of the chain fails.</summary>
    public string? CrlPem { get; init; }

    /// <summary>Only the leaf is checked against <see cref="CrlPem"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool CrlOnlyLeaf { get; init; }
}

public enum SanKind { Dns, Email, IpAddress, Uri, OtherName }

public enum SanMatchKind { Exact, Prefix, Suffix, RegularExpression }

/// <summary>One subject alternative name matcher; <see cref="Oid"/> names the type of an otherName.</summary>
public sealed record SanMatcherIr(SanKind Kind, SanMatchKind Match, string Value, string? Oid = null);
