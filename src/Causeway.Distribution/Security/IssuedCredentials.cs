using System.Security.Cryptography.X509Certificates;

namespace Causeway.Distribution.Security;

/// <summary>A certificate, its private key and the CA that signed it, all PEM. <see cref="ToString"/> never shows the key.</summary>
public sealed record IssuedCredentials(string CertificatePem, string PrivateKeyPem, string CaCertificatePem)
{
    /// <summary>Data keys of the Secret that carries proxy credentials (a <c>kubernetes.io/tls</c> Secret plus <c>ca.crt</c>).</summary>
    public const string CertificateKey = "tls.crt";
    public const string PrivateKeyKey = "tls.key";
    public const string CaKey = "ca.crt";

    /// <summary>The Secret data (<c>tls.crt</c>, <c>tls.key</c>, <c>ca.crt</c>), values as UTF-8 PEM bytes.</summary>
    public IReadOnlyDictionary<string, byte[]> ToSecretData() => new Dictionary<string, byte[]>(StringComparer.Ordinal)
    {
        [CertificateKey] = System.Text.Encoding.UTF8.GetBytes(CertificatePem),
        [PrivateKeyKey] = System.Text.Encoding.UTF8.GetBytes(PrivateKeyPem),
        [CaKey] = System.Text.Encoding.UTF8.GetBytes(CaCertificatePem),
    };

    /// <summary>Reads credentials from a directory where the Secret is mounted (files tls.crt, tls.key, ca.crt).</summary>
    public static async Task<IssuedCredentials> LoadFromDirectoryAsync(string directory, CancellationToken ct) => new(
        await File.ReadAllTextAsync(Path.Combine(directory, CertificateKey), ct).ConfigureAwait(false),
        await File.ReadAllTextAsync(Path.Combine(directory, PrivateKeyKey), ct).ConfigureAwait(false),
        await File.ReadAllTextAsync(Path.Combine(directory, CaKey), ct).ConfigureAwait(false));

    /// <summary>The certificate with its private key, usable by SslStream.</summary>
    public X509Certificate2 ToCertificate() => CertificateAuthority.Reload(CertificatePem, PrivateKeyPem);

    /// <summary>The CA certificate (no key).</summary>
    public X509Certificate2 ToCaCertificate() => X509Certificate2.CreateFromPem(CaCertificatePem);

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("CertificatePem = <").Append(CertificatePem.Length).Append(" chars>, PrivateKeyPem = <redacted>");
        return true;
    }
}
