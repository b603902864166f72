using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Causeway.DataPlane.Tls;

/// <summary>Verifies a peer certificate against a custom set of trust anchors (or the system store).</summary>
internal sealed class ChainValidator
{
    private readonly X509Certificate2Collection? _roots;

    public ChainValidator(X509Certificate2Collection? roots) => _roots = roots;

    public bool IsTrusted(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors, bool isServer)
    {
        if (certificate is null) return false;
        if (_roots is null)
            return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
        var cert = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(isServer ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2"));
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
                if (!ReferenceEquals(element.Certificate, cert)) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        return chain.Build(cert);
    }
}
