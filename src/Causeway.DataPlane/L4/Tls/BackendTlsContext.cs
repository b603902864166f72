using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Causeway.DataPlane.Tls;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.L4.Tls;

/// <summary>
/// TLS origination to a backend (BackendTLSPolicy): SNI = <see cref="BackendTlsIr.Hostname"/>, chain verified against
/// <see cref="BackendTlsIr.CaBundlePem"/> (or the system store), name verified against the hostname or, when given,
/// one of <see cref="BackendTlsIr.SubjectAltNames"/>.
/// </summary>
internal sealed class BackendTlsContext
{
    private readonly BackendTlsIr _tls;
    private readonly X509Certificate2Collection? _anchors;

    public BackendTlsContext(BackendTlsIr tls)
    {
        _tls = tls;
        if (tls.CaBundlePem is { } pem)
        {
            _anchors = [];
            try { _anchors.ImportFromPem(pem); }
            catch (CryptographicException) { _anchors.Clear(); }
        }
    }

    /// <summary>Options for one handshake; <paramref name="clientCertificate"/> is the Gateway's backend client certificate.</summary>
    public SslClientAuthenticationOptions CreateOptions(SslStreamCertificateContext? clientCertificate) => new()
    {
        TargetHost = _tls.Hostname,
        ClientCertificateContext = clientCertificate,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = Validate,
    };

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0) return false;
        if (_anchors is not null)
        {
            if (_anchors.Count == 0) return false;
            var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(_anchors);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (presented is not null)
                for (var i = 1; i < presented.ChainElements.Count; i++)
                    chain.ChainPolicy.ExtraStore.Add(presented.ChainElements[i].Certificate);
            if (!chain.Build(leaf)) return false;
        }
        else if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }

        if (_tls.SubjectAltNames.Count == 0) return (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
        var cert = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        foreach (var wanted in _tls.SubjectAltNames)
            if (SubjectAltNameMatcher.IsUri(wanted) && SubjectAltNameMatcher.Matches(cert, wanted)) return true;
        foreach (var extension in cert.Extensions)
        {
            if (extension is not X509SubjectAlternativeNameExtension san) continue;
            foreach (var dns in san.EnumerateDnsNames())
                foreach (var wanted in _tls.SubjectAltNames)
                    if (!SubjectAltNameMatcher.IsUri(wanted)
                        && HostnameMatcher.Score(HostnameMatcher.Normalize(dns), HostnameMatcher.Normalize(wanted)) != HostnameMatcher.NoMatch)
                        return true;
        }
        return false;
    }
}
