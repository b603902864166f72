using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace Causeway.Conformance.Harness.Cluster;

/// <summary>A certificate with its PEM forms (key as PKCS#1 "RSA PRIVATE KEY").</summary>
public sealed record IssuedCertificate(X509Certificate2 Certificate, string CertificatePem, string KeyPem);

/// <summary>Generates certificates the way upstream's suite does (RSA 2048, 365 days; see SOURCE.md).</summary>
public static partial class CertificateFactory
{
    private static readonly X500DistinguishedName LeafSubject = new("CN=default, O=Acme Co");
    private static readonly X500DistinguishedName CaSubject = new("CN=gatewayapi, O=Kubernetes Gateway API, C=US");

    public static IssuedCertificate CreateCa()
    {
        using var key = RSA.Create(2048);
        var req = new CertificateRequest(CaSubject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var cert = req.CreateSelfSigned(now, now.AddDays(365));
        return Finish(cert, key);
    }

    public static IssuedCertificate CreateSelfSignedServer(IReadOnlyList<string> hosts)
    {
        using var key = RSA.Create(2048);
        var req = LeafRequest(key, hosts, server: true);
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var cert = req.CreateSelfSigned(now, now.AddDays(365));
        return Finish(cert, key);
    }

    public static IssuedCertificate CreateSigned(IssuedCertificate issuer, IReadOnlyList<string> hosts, bool server)
    {
        using var key = RSA.Create(2048);
        var req = LeafRequest(key, hosts, server);
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        var notAfter = now.AddDays(365) < issuer.Certificate.NotAfter ? now.AddDays(365) : new DateTimeOffset(issuer.Certificate.NotAfter.ToUniversalTime());
        using var cert = req.Create(issuer.Certificate, now, notAfter, serial);
        return Finish(cert, key);
    }

    private static CertificateRequest LeafRequest(RSA key, IReadOnlyList<string> hosts, bool server)
    {
        var req = new CertificateRequest(LeafSubject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [server ? new Oid("1.3.6.1.5.5.7.3.1") : new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (hosts.Count > 0) req.CertificateExtensions.Add(SubjectAltNames(hosts));
        return req;
    }

    /// <summary>upstream generateRSACert: IP -> IP SAN; DNS-valid name (leading "*." allowed) -> DNS SAN; else URI SAN.</summary>
    public static X509Extension SubjectAltNames(IReadOnlyList<string> hosts)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            foreach (var h in hosts)
            {
                if (IPAddress.TryParse(h, out var ip))
                    w.WriteOctetString(ip.GetAddressBytes(), new Asn1Tag(TagClass.ContextSpecific, 7));
                else if (IsDnsName(h))
                    w.WriteCharacterString(UniversalTagNumber.IA5String, h, new Asn1Tag(TagClass.ContextSpecific, 2));
                else
                    w.WriteCharacterString(UniversalTagNumber.IA5String, h, new Asn1Tag(TagClass.ContextSpecific, 6));
            }
        }
        return new X509Extension("2.5.29.17", w.Encode(), false);
    }

    public static bool IsDnsName(string h) => DnsName().IsMatch(h) && h.Length <= 253;

    private static IssuedCertificate Finish(X509Certificate2 cert, RSA key)
    {
        var certPem = cert.ExportCertificatePem() + "\n";
        var keyPem = key.ExportRSAPrivateKeyPem() + "\n";
        var withKey = X509Certificate2.CreateFromPem(certPem, keyPem);
        return new IssuedCertificate(withKey, certPem, keyPem);
    }

    [GeneratedRegex(@"^(\*\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?)*$")]
    private static partial Regex DnsName();
}
