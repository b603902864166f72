using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Causeway.Echo.Tests;

/// <summary>A throw-away PKI written as PEM files: CA, server cert (PKCS#1 RSA key) and client certs.</summary>
public sealed class TestCertificates : IDisposable
{
    /// <summary>Used by xUnit as a class fixture.</summary>
    public TestCertificates()
        : this(Create())
    {
    }

    private TestCertificates(TestCertificates created)
    {
        Directory = created.Directory;
        ServerCert = created.ServerCert;
        TrustedClient = created.TrustedClient;
        UntrustedClient = created.UntrustedClient;
    }

    private TestCertificates(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public string ServerCertPath => Path.Combine(Directory, "crt");

    public string ServerKeyPath => Path.Combine(Directory, "key");

    public string CaPath => Path.Combine(Directory, "ca");

    public X509Certificate2 ServerCert { get; private init; } = null!;

    public X509Certificate2 TrustedClient { get; private init; } = null!;

    public X509Certificate2 UntrustedClient { get; private init; } = null!;

    private static TestCertificates Create()
    {
        var dir = Path.Combine(Path.GetTempPath(), "causeway-echo-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = SelfSignedCa("CN=Causeway Test CA", caKey);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var otherCa = SelfSignedCa("CN=Other CA", otherKey);

        using var serverKey = RSA.Create(2048); // RSA so the key file can be PKCS#1 like the suite's Secrets
        var server = Issue(ca, caKey, new CertificateRequest("CN=abc.example.com", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), true, "abc.example.com").CopyWithPrivateKey(serverKey);
        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var client = Issue(ca, caKey, new CertificateRequest("CN=gateway-client", clientKey, HashAlgorithmName.SHA256), false, null).CopyWithPrivateKey(clientKey);
        using var untrustedKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var untrusted = Issue(otherCa, otherKey, new CertificateRequest("CN=stranger", untrustedKey, HashAlgorithmName.SHA256), false, null).CopyWithPrivateKey(untrustedKey);

        var certs = new TestCertificates(dir)
        {
            ServerCert = server,
            TrustedClient = client,
            UntrustedClient = untrusted,
        };
        File.WriteAllText(certs.ServerCertPath, server.ExportCertificatePem() + "\n");
        File.WriteAllText(certs.ServerKeyPath, serverKey.ExportRSAPrivateKeyPem() + "\n"); // PKCS#1, like the suite's Secrets
        File.WriteAllText(certs.CaPath, ca.ExportCertificatePem() + "\n");
        return certs;
    }

    private static X509Certificate2 SelfSignedCa(string subject, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static X509Certificate2 Issue(X509Certificate2 issuer, ECDsa issuerKey, CertificateRequest request, bool serverAuth, string? dnsName)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (dnsName is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(dnsName);
            request.CertificateExtensions.Add(san.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(12);
        return request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey),
            DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), serial);
    }

    public void Dispose()
    {
        ServerCert.Dispose();
        TrustedClient.Dispose();
        UntrustedClient.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
