using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Causeway.DataPlane.L4;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Tls;

/// <summary>
/// Verifies a backend's certificate for TLS origination (BackendTLSPolicy), for both HTTP and L4 backends: the chain
/// against <see cref="BackendTlsIr.CaBundlePem"/> (or the system store), then the name against
/// <see cref="BackendTlsIr.Hostname"/> or, when given, one of <see cref="BackendTlsIr.SubjectAltNames"/> (which then
/// replace the hostname: a URI must equal a URI SAN exactly, anything else is a DNS name).
/// </summary>
internal sealed class BackendCertificateValidator
{
    private readonly ChainValidator _chain;
    private readonly string _hostname;
    private readonly string[] _subjectAltNames;
    private readonly BackendCertificateRules _rules;
    private readonly bool _insecureSkipVerify;

    public BackendCertificateValidator(BackendTlsIr tls, BackendCertificateRules rules)
    {
        _chain = new ChainValidator(tls.CaBundlePem is { } pem ? ParseAnchors(pem) : null);
        _hostname = tls.Hostname;
        _subjectAltNames = [.. tls.SubjectAltNames];
        _rules = rules;
        _insecureSkipVerify = tls.InsecureSkipVerify;
    }

    /// <summary>A <see cref="RemoteCertificateValidationCallback"/>.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0) return false;
        if (_insecureSkipVerify) return true; // Envoy Gateway Backend tls.insecureSkipVerify: the user asked for no verification
        var cert = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var usage = _rules == BackendCertificateRules.Strict ? ChainValidator.ServerAuth : null;
        if (!_chain.IsTrusted(cert, presented, errors, usage)) return false;
        if (_subjectAltNames.Length == 0) return HostnameMatches(cert, errors);
        foreach (var wanted in _subjectAltNames)
            if (SubjectAltNameMatches(cert, wanted)) return true;
        return false;
    }

    private bool HostnameMatches(X509Certificate2 cert, SslPolicyErrors errors) => _rules == BackendCertificateRules.Strict
        ? SubjectAltNameMatcher.Matches(cert, _hostname)
        // The platform checked the name against TargetHost (= the hostname).
        : (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;

    private bool SubjectAltNameMatches(X509Certificate2 cert, string wanted)
    {
        if (_rules == BackendCertificateRules.Strict || SubjectAltNameMatcher.IsUri(wanted))
            return SubjectAltNameMatcher.Matches(cert, wanted);
        var host = HostnameMatcher.Normalize(wanted);
        foreach (var extension in cert.Extensions)
        {
            if (extension is not X509SubjectAlternativeNameExtension san) continue;
            foreach (var dns in san.EnumerateDnsNames())
                if (HostnameMatcher.Score(HostnameMatcher.Normalize(dns), host) != HostnameMatcher.NoMatch) return true;
        }
        return false;
    }

    /// <summary>The BackendTLSPolicy CA bundle; a bundle that does not parse or holds no certificate trusts nothing.</summary>
    private static X509Certificate2Collection ParseAnchors(string pem)
    {
        var anchors = new X509Certificate2Collection();
        try
        {
            anchors.ImportFromPem(pem);
        }
        catch (CryptographicException)
        {
            anchors.Clear();
        }
        return anchors;
    }
}
