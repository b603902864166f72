using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Causeway.Echo.Tests;

/// <summary>A throw-away PKI written as PEM files: CA, server cert (PKCS#1 RSA key) and client certs.</summary>
internal sealed class TestCertificates : IDisposable
{
    private TestCertificates(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public string ServerCertPath => Path.Combine(Directory, "crt");

    public string ServerKeyPath => Path.Combine(Directory, "key");

    public string CaPath => Path.Combine(Directory, "ca");

    public required X509Certificate2 ServerCert { get; init; }

    public required X509Certificate2 TrustedClient { get; init; }

    public required X509Certificate2 UntrustedClient { get; init; }

    public static TestCertificates Create()
    {
        var dir = Path.Combine(Path.GetTempPath(), "causeway-echo-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);

        using var caKey = RSA.Create(2048);
        using var ca = SelfSignedCa("CN=Causeway Test CA", caKey);
        using var otherKey = RSA.Create(2048);
        using var otherCa = SelfSignedCa("CN=Other CA", otherKey);

        using var serverKey = RSA.Create(2048);
        var server = Issue(ca, "CN=abc.example.com", serverKey, serverAuth: true, "abc.example.com");
        using var clientKey = RSA.Create(2048);
        var client = Issue(ca, "CN=gateway-client", clientKey, serverAuth: false, null);
        using var untrustedKey = RSA.Create(2048);
        var untrusted = Issue(otherCa, "CN=stranger", untrustedKey, serverAuth: false, null);

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

    private static X509Certificate2 SelfSignedCa(string subject, RSA key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static X509Certificate2 Issue(X509Certificate2 issuer, string subject, RSA key, bool serverAuth, string? dnsName)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
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
        using var cert = request.Create(issuer, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(10), serial);
        return cert.CopyWithPrivateKey(key);
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
