using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Causeway.Distribution.Security;

/// <summary>
/// The distribution channel's private CA: it signs the controller's server certificate and one client certificate per
/// Gateway (identity <see cref="ProxyIdentity"/>). ECDSA P-256. Create it once and keep it in a Secret of the controller's
/// namespace (<see cref="CertificatePem"/> / <see cref="ExportPrivateKeyPem"/>), then <see cref="FromPem"/> on every start.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    private readonly X509Certificate2 _certificate;

    private CertificateAuthority(X509Certificate2 certificate)
    {
        _certificate = certificate;
        CertificatePem = certificate.ExportCertificatePem();
    }

    /// <summary>The CA certificate (PEM): the trust anchor both sides verify against (<c>ca.crt</c>).</summary>
    public string CertificatePem { get; }

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Certificate => _certificate;

    /// <summary>A new self-signed CA valid for <paramref name="validity"/> (default ten years).</summary>
    public static CertificateAuthority Create(string commonName = "causeway-distribution-ca", TimeSpan? validity = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + commonName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var cert = request.CreateSelfSigned(now.AddMinutes(-5), now.Add(validity ?? TimeSpan.FromDays(3650)));
        return new CertificateAuthority(Reload(cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem()));
    }

    /// <summary>Loads a CA from its certificate and private key (PEM).</summary>
    public static CertificateAuthority FromPem(string certificatePem, string privateKeyPem)
    {
        var cert = Reload(certificatePem, privateKeyPem);
        if (cert.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
        {
            cert.Dispose();
            throw new ArgumentException("the certificate is not a CA (basicConstraints CA:TRUE missing)", nameof(certificatePem));
        }

        return new CertificateAuthority(cert);
    }

    /// <summary>The CA's private key (PEM, PKCS#8). Secret: store it only in a Secret, never log it.</summary>
    public string ExportPrivateKeyPem()
    {
        using var key = _certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("CA has no ECDSA private key");
        return key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>
    /// The client certificate of the proxies of Gateway <paramref name="gatewayNamespace"/>/<paramref name="gatewayName"/>:
    /// URI SAN <c>spiffe://causeway/gateway/&lt;ns&gt;/&lt;name&gt;</c>, clientAuth only. The controller puts it in a Secret
    /// (<see cref="IssuedCredentials.ToSecretData"/>) mounted by that Gateway's proxy pods.
    /// </summary>
    public IssuedCredentials IssueProxyCertificate(string gatewayNamespace, string gatewayName, TimeSpan? validity = null)
    {
        var identity = ProxyIdentity.ForGateway(gatewayNamespace, gatewayName);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(identity.Uri);
        return Issue("CN=" + identity.GatewayKey, san, serverAuth: false, validity ?? TimeSpan.FromDays(365));
    }

    /// <summary>The controller's server certificate for the given DNS names and IP addresses (serverAuth only).</summary>
    public IssuedCredentials IssueServerCertificate(IEnumerable<string> dnsNames, IEnumerable<IPAddress>? ipAddresses = null, TimeSpan? validity = null)
    {
        var san = new SubjectAlternativeNameBuilder();
        string? first = null;
        foreach (var name in dnsNames)
        {
            san.AddDnsName(name);
            first ??= name;
        }

        foreach (var ip in ipAddresses ?? []) san.AddIpAddress(ip);
        return Issue("CN=" + (first ?? "causeway-controller"), san, serverAuth: true, validity ?? TimeSpan.FromDays(365));
    }

    private IssuedCredentials Issue(string subject, SubjectAlternativeNameBuilder san, bool serverAuth, TimeSpan validity)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName(subject), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var usage = new OidCollection { serverAuth ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2") };
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usage, true));
        request.CertificateExtensions.Add(san.Build(true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_certificate, true, false));
        var now = DateTimeOffset.UtcNow;
        var notAfter = now.Add(validity);
        if (notAfter > _certificate.NotAfter) notAfter = _certificate.NotAfter;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var cert = request.Create(_certificate, now.AddMinutes(-5), notAfter, serial);
        return new IssuedCredentials(cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), CertificatePem);
    }

    /// <summary>
    /// Builds a certificate with its key through PKCS#12, so SslStream can use the key on every platform
    /// (an ephemeral PEM key is not usable by Schannel, and a PKCS#12 round trip keeps Linux and macOS equal).
    /// </summary>
    internal static X509Certificate2 Reload(string certificatePem, string privateKeyPem)
    {
        using var pem = X509Certificate2.CreateFromPem(certificatePem, privateKeyPem);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose() => _certificate.Dispose();
}
