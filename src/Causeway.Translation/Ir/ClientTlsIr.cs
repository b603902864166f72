using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>ClientTrafficPolicy <c>tls</c> as the listener applies it.</summary>
public sealed record ClientTlsIr
{
    /// <summary>Lowest TLS version offered: "1.2" or "1.3".</summary>
    public string MinVersion { get; init; } = "1.2";

    /// <summary>Highest TLS version offered: "1.2" or "1.3".</summary>
    public string MaxVersion { get; init; } = "1.3";

    /// <summary>TLS 1.2 cipher suites offered (IANA names); null: the platform's. TLS 1.3 suites are not affected.</summary>
    public EquatableArray<string>? Ciphers { get; init; }

    /// <summary>TLS session resumption: null, the platform's (on); false, off; true, on (session IDs and tickets).</summary>
    public bool? SessionResumption { get; init; }

    /// <summary>Key exchange groups offered (OpenSSL names, e.g. X25519, P-256), in order; null: the platform's.</summary>
    public EquatableArray<string>? EcdhCurves { get; init; }

    /// <summary>Signature algorithms accepted (TLS 1.3 names, e.g. ecdsa_secp256r1_sha256), in order; null: the platform's.</summary>
    public EquatableArray<string>? SignatureAlgorithms { get; init; }

    /// <summary>TLS client fingerprints computed per connection (<c>JA3</c>, <c>JA4</c>); null: none.</summary>
    public EquatableArray<string>? Fingerprints { get; init; }

    /// <summary>ALPN protocols offered, in order; null: h2 and http/1.1; empty: no ALPN.</summary>
    public EquatableArray<string>? AlpnProtocols { get; init; }
}
