using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Causeway.Echo.Tls;

/// <summary>Server certificate (PEM cert chain + PEM key) and optional client CA bundle of one echo instance.</summary>
internal sealed class TlsMaterial : IDisposable
{
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2 _leaf;
    private readonly X509Certificate2Collection _intermediates;
    private readonly X509Certificate2Collection? _clientCas;

    private TlsMaterial(X509Certificate2 leaf, X509Certificate2Collection intermediates, X509Certificate2Collection? clientCas)
    {
        _leaf = leaf;
        _intermediates = intermediates;
        _clientCas = clientCas;
        SslCertificateTrust? trust = clientCas is null ? null : SslCertificateTrust.CreateForX509Collection(clientCas, sendTrustInHandshake: true);
        CertificateContext = SslStreamCertificateContext.Create(leaf, intermediates, offline: true, trust);
    }

    public SslStreamCertificateContext CertificateContext { get; }

    public bool RequestsClientCertificate => _clientCas is not null;

    /// <summary>Loads PEM files. The key may be PKCS#1 (<c>RSA PRIVATE KEY</c>), PKCS#8 or SEC1 EC.</summary>
    public static TlsMaterial Load(string certPath, string keyPath, string? clientCaPath)
    {
        var leafFromPem = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(certPath);
        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < all.Count; i++)
        {
            intermediates.Add(all[i]);
        }

        X509Certificate2Collection? cas = null;
        if (!string.IsNullOrEmpty(clientCaPath))
        {
            cas = new X509Certificate2Collection();
            cas.ImportFromPemFile(clientCaPath);
        }

        return new TlsMaterial(leafFromPem, intermediates, cas);
    }

    /// <summary>Fresh server options for one connection.</summary>
    public SslServerAuthenticationOptions CreateServerOptions(IReadOnlyList<SslApplicationProtocol>? alpn)
    {
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = CertificateContext,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ClientCertificateRequired = _clientCas is not null,
            ApplicationProtocols = alpn is null ? null : [.. alpn],
        };
        if (_clientCas is not null)
        {
            options.RemoteCertificateValidationCallback = (_, cert, chain, _) => VerifyClientCertIfGiven(cert, chain);
        }

        return options;
    }

    /// <summary>Go's <c>tls.VerifyClientCertIfGiven</c>: no certificate is fine, a given one must chain to the CA bundle.</summary>
    private bool VerifyClientCertIfGiven(X509Certificate? certificate, X509Chain? presentedChain)
    {
        if (certificate is null)
        {
            return true;
        }

        using var leaf = new X509Certificate2(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_clientCas!);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(ClientAuthOid));
        if (presentedChain is not null)
        {
            foreach (var element in presentedChain.ChainPolicy.ExtraStore)
            {
                chain.ChainPolicy.ExtraStore.Add(element);
            }
        }

        return chain.Build(leaf);
    }

    public void Dispose()
    {
        _leaf.Dispose();
        foreach (var cert in _intermediates)
        {
            cert.Dispose();
        }

        if (_clientCas is not null)
        {
            foreach (var cert in _clientCas)
            {
                cert.Dispose();
            }
        }
    }
}
