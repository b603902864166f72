using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.L4.Tls;

/// <summary>
/// Listener certificates loaded from PEM once per distinct <see cref="TlsCertificateIr"/> and shared by connections.
/// A certificate that fails to load is remembered as unusable (logged once, without key material).
/// </summary>
internal sealed class CertificateCache(ILogger logger)
{
    private readonly ConcurrentDictionary<TlsCertificateIr, Lazy<SslStreamCertificateContext?>> _contexts = new();

    /// <summary>The certificate of <paramref name="listener"/> for <paramref name="sni"/>: exact DNS name, then the most
    /// specific wildcard, then the listener's first certificate.</summary>
    public SslStreamCertificateContext? Select(ListenerIr listener, string? sni)
    {
        TlsCertificateIr? best = null;
        var bestScore = HostnameMatcher.NoMatch;
        foreach (var certificate in listener.Certificates)
            foreach (var name in certificate.DnsNames)
            {
                var score = HostnameMatcher.Score(HostnameMatcher.Normalize(name), sni);
                if (score > bestScore) { best = certificate; bestScore = score; }
            }
        best ??= listener.Certificates.Count > 0 ? listener.Certificates[0] : null;
        return best is null ? null : Get(best);
    }

    public SslStreamCertificateContext? Get(TlsCertificateIr certificate) =>
        _contexts.GetOrAdd(certificate, c => new Lazy<SslStreamCertificateContext?>(() => Load(c))).Value;

    /// <summary>Forgets certificates neither a listener of the table's port nor its backend client certificate uses any more.</summary>
    public void Retain(L4RouteTable table)
    {
        var live = new HashSet<TlsCertificateIr>();
        foreach (var listener in table.Port.Listeners)
            foreach (var certificate in listener.Certificates) live.Add(certificate);
        if (table.BackendClientCertificate is { } client) live.Add(client);
        foreach (var key in _contexts.Keys)
            if (!live.Contains(key)) _contexts.TryRemove(key, out _);
    }

    private SslStreamCertificateContext? Load(TlsCertificateIr certificate)
    {
        try
        {
            using var fromPem = X509Certificate2.CreateFromPem(certificate.CertificatePem, certificate.PrivateKeyPem);
            // PEM-loaded keys are ephemeral; a PKCS#12 round trip gives SslStream a key it can use on every platform.
            var leaf = X509CertificateLoader.LoadPkcs12(fromPem.Export(X509ContentType.Pkcs12), password: null);
            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(certificate.CertificatePem);
            var intermediates = new X509Certificate2Collection();
            foreach (var c in chain)
            {
                if (c.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span)) { c.Dispose(); continue; }
                intermediates.Add(c);
            }
            return SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            logger.LogWarning("Certificate from {Source} cannot be used for TLS: {Error}",
                certificate.Source, e.GetType().Name);
            return null;
        }
    }
}
