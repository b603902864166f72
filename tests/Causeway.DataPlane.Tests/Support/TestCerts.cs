using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Tests.Support;

/// <summary>A certificate with its PEM forms, generated at run time.</summary>
public sealed record TestCert(X509Certificate2 Certificate, string CertificatePem, string KeyPem)
{
    public TlsCertificateIr ToIr(params string[] dnsNames) => new()
    {
        Source = "test/" + Certificate.GetNameInfo(X509NameType.SimpleName, false),
        CertificatePem = CertificatePem,
        PrivateKeyPem = KeyPem,
        DnsNames = dnsNames,
    };
}

public static class TestCerts
{
    public static TestCert CreateCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return new TestCert(cert, cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>A PEM revocation list signed by <paramref name="issuer"/> that revokes <paramref name="revoked"/> (valid for a day).</summary>
    public static string CrlPem(TestCert issuer, params TestCert[] revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var r in revoked) builder.AddEntry(r.Certificate, DateTimeOffset.UtcNow.AddMinutes(-5));
        var der = builder.Build(issuer.Certificate, System.Numerics.BigInteger.One, DateTimeOffset.UtcNow.AddDays(1), HashAlgorithmName.SHA256);
        return new string(PemEncoding.Write("X509 CRL", der));
    }

    /// <summary>A leaf signed by <paramref name="ca"/> (server and client auth) with the given DNS SANs.</summary>
    public static TestCert CreateLeaf(TestCert ca, string commonName, params string[] dnsNames) => CreateLeaf(ca, commonName, dnsNames, []);

    /// <summary>A leaf signed by <paramref name="ca"/> with DNS and URI SANs (in that order).</summary>
    public static TestCert CreateLeaf(TestCert ca, string commonName, string[] dnsNames, string[] uris)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, false));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var d in dnsNames) san.AddDnsName(d);
        foreach (var u in uris) san.AddUri(new Uri(u));
        req.CertificateExtensions.Add(san.Build());
        var serial = RandomNumberGenerator.GetBytes(12);
        using var signed = req.Create(ca.Certificate, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(20), serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        var usable = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return new TestCert(usable, usable.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
