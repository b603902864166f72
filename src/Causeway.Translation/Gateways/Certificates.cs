using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Causeway.Model;
using Causeway.Model.Objects;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Gateways;

/// <summary>Reads and checks certificate material from Secrets and ConfigMaps (parsing is pure: no I/O, no clock).</summary>
internal static class Certificates
{
    /// <summary>A kubernetes.io/tls Secret as a certificate, or the reason it is not a valid pair.</summary>
    public static (TlsCertificateIr? Cert, string? Error) FromTlsSecret(Secret secret)
    {
        if (!secret.Data.TryGetValue("tls.crt", out var crt) || crt.Length == 0)
            return (null, $"Secret {secret.Namespace}/{secret.Name} has no tls.crt");
        if (!secret.Data.TryGetValue("tls.key", out var key) || key.Length == 0)
            return (null, $"Secret {secret.Namespace}/{secret.Name} has no tls.key");
        var certPem = Encoding.UTF8.GetString(crt);
        var keyPem = Encoding.UTF8.GetString(key);
        try
        {
            using var cert = X509Certificate2.CreateFromPem(certPem, keyPem);
            if (!cert.HasPrivateKey)
                return (null, $"Secret {secret.Namespace}/{secret.Name}: tls.key does not match tls.crt");
            var names = DnsNames(cert);
            return (new TlsCertificateIr { Source = $"{secret.Namespace}/{secret.Name}", CertificatePem = certPem, PrivateKeyPem = keyPem, DnsNames = names }, null);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return (null, $"Secret {secret.Namespace}/{secret.Name} does not hold a valid certificate and private key: {e.Message}");
        }
    }

    /// <summary>A PEM bundle of CA certificates, or null when it holds none.</summary>
    public static string? ValidCaBundle(string? pem)
    {
        if (string.IsNullOrWhiteSpace(pem)) return null;
        try
        {
            var col = new X509Certificate2Collection();
            col.ImportFromPem(pem);
            return col.Count > 0 ? pem : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static EquatableArray<string> DnsNames(X509Certificate2 cert)
    {
        var names = new List<string>();
        foreach (var ext in cert.Extensions)
            if (ext is X509SubjectAlternativeNameExtension san)
                names.AddRange(san.EnumerateDnsNames());
        if (names.Count == 0)
        {
            var cn = cert.GetNameInfo(X509NameType.SimpleName, false);
            if (!string.IsNullOrEmpty(cn)) names.Add(cn);
        }
        return new EquatableArray<string>(names.Select(n => n.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal));
    }
}
