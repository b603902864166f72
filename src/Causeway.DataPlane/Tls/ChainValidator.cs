using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Causeway.DataPlane.Tls;

/// <summary>
/// Verifies a peer certificate against a custom set of trust anchors (or, when there are none, accepts what the
/// platform's own chain check accepted). Shared by frontend client-certificate validation and backend TLS.
/// </summary>
internal sealed class ChainValidator
{
    /// <summary>Extended key usage a TLS server certificate must allow (when it restricts usage at all).</summary>
    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";

    /// <summary>Extended key usage a TLS client certificate must allow (when it restricts usage at all).</summary>
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2Collection? _roots;

    /// <param name="roots">Trust anchors; null = the system store (the platform's verdict in the callback's errors);
    /// an empty collection trusts nothing.</param>
    public ChainValidator(X509Certificate2Collection? roots) => _roots = roots;

    /// <summary>Whether <paramref name="certificate"/> chains to the anchors. With custom anchors, <paramref name="usage"/>
    /// (an EKU OID, or null for none) is required of the chain; with the system store the platform already checked it.
    /// <paramref name="ignoreTime"/> accepts certificates outside their validity period; <paramref name="inspect"/>
    /// sees the built chain (leaf first) and may still refuse it (client validation's revocation lists).</summary>
    public bool IsTrusted(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors, string? usage,
        bool ignoreTime = false, Func<X509Chain, bool>? inspect = null) =>
        IsTrusted(certificate, _roots is { Count: > 0 } ? Presented(presented) : null, errors, usage, ignoreTime, inspect);

    /// <summary>
    /// <see cref="IsTrusted(X509Certificate?, X509Chain?, SslPolicyErrors, string?, bool, Func{X509Chain, bool}?)"/> with
    /// what the peer sent beyond its certificate as a collection (<paramref name="presented"/>, the leaf may be among
    /// them): the form a handshake that is not SslStream's (the event loop's OpenSSL) has.
    /// </summary>
    public bool IsTrusted(X509Certificate? certificate, X509Certificate2Collection? presented, SslPolicyErrors errors, string? usage,
        bool ignoreTime = false, Func<X509Chain, bool>? inspect = null)
    {
        if (certificate is null) return false;
        if (_roots is null)
            return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
        if (_roots.Count == 0) return false;
        var cert = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = ignoreTime ? X509VerificationFlags.IgnoreNotTimeValid : X509VerificationFlags.NoFlag;
        if (usage is not null) chain.ChainPolicy.ApplicationPolicy.Add(new Oid(usage));
        if (presented is not null)
        {
            // What the peer sent (and the platform found) beyond the leaf may serve as intermediates.
            foreach (var other in presented)
                if (!other.RawDataMemory.Span.SequenceEqual(cert.RawDataMemory.Span))
                    chain.ChainPolicy.ExtraStore.Add(other);
        }
        return chain.Build(cert) && (inspect is null || inspect(chain));
    }

    /// <summary>The certificates of a chain SslStream built from what the peer sent (null for none).</summary>
    public static X509Certificate2Collection? Presented(X509Chain? presented)
    {
        if (presented is null) return null;
        var certificates = new X509Certificate2Collection();
        foreach (var element in presented.ChainElements) certificates.Add(element.Certificate);
        return certificates;
    }
}
