using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Tls;

/// <summary>
/// Parses PEM certificate chains and keys once and keeps them across applies (keyed by value, so an unchanged Secret
/// is not re-parsed and a rotated one gets a new entry). Not static: one per data plane.
/// </summary>
internal sealed class CertificateStore
{
    private readonly object _gate = new();
    private Dictionary<TlsCertificateIr, Entry> _entries = new();
    private Dictionary<TlsCertificateIr, Entry> _used = new();

    public sealed record Entry(X509Certificate2 Leaf, SslStreamCertificateContext Context, TlsCertificateIr Ir)
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<OpenSsl.LoopTlsSettings, Lazy<OpenSsl.OpenSslContext?>> _native = new();

        /// <summary>
        /// The OpenSSL context the event loops terminate this certificate with under <paramref name="settings"/>, built
        /// on first use and kept as long as the entry (so its session cache and ticket keys survive applies); null when
        /// OpenSSL refuses the certificate or key (the port's connections then go to SslStream, which says why). With
        /// <see cref="OpenSsl.LoopTlsSettings.ClientValidation"/>, <paramref name="validator"/> is that validation
        /// compiled: a context built by an earlier apply keeps its own, compiled from an equal validation.
        /// </summary>
        public OpenSsl.OpenSslContext? Native(OpenSsl.LoopTlsSettings settings, ClientValidation.ClientCertificateValidator? validator = null) =>
            _native.GetOrAdd(settings, static (s, state) => new Lazy<OpenSsl.OpenSslContext?>(() =>
            {
                try
                {
                    return OpenSsl.OpenSslContext.Create(state.Entry.Ir, s, state.Validator, state.Entry.Leaf);
                }
                catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
                {
                    return null;
                }
            }), (Entry: this, Validator: validator)).Value; // no closure per handshake once the context exists

        private readonly object _keepGate = new();
        private HashSet<OpenSsl.LoopTlsSettings> _kept = [];

        /// <summary>The apply compiled a listener terminating this certificate under <paramref name="settings"/> (and their h2 form): keep their contexts.</summary>
        public void Keep(OpenSsl.LoopTlsSettings settings)
        {
            lock (_keepGate)
            {
                _kept.Add(settings);
                _kept.Add(settings.ForLoopH2());
            }
        }

        /// <summary>
        /// Forgets the contexts of settings the apply did not compile (a rotated CA bundle or revocation list, changed
        /// versions or ciphers): connections made with one keep it alive until they end, and it is freed after them.
        /// </summary>
        public void Prune()
        {
            lock (_keepGate)
            {
                foreach (var settings in _native.Keys)
                    if (!_kept.Contains(settings)) _native.TryRemove(settings, out _);
                _kept = [];
            }
        }

        /// <summary>OpenSSL contexts kept for this certificate (for tests and diagnostics).</summary>
        public int NativeContexts => _native.Count;
    }

    /// <summary>Starts an apply: entries not requested until <see cref="EndApply"/> are dropped.</summary>
    public void BeginApply()
    {
        lock (_gate) _used = new Dictionary<TlsCertificateIr, Entry>();
    }

    public void EndApply()
    {
        lock (_gate)
        {
            _entries = _used;
            foreach (var entry in _entries.Values) entry.Prune();
        }
    }

    /// <summary>The entry of <paramref name="cert"/> if the last apply used it (for tests and diagnostics).</summary>
    public Entry? Find(TlsCertificateIr cert)
    {
        lock (_gate) return _entries.GetValueOrDefault(cert);
    }

    /// <summary>The parsed certificate; throws a descriptive exception when the PEM is unusable.</summary>
    public Entry Get(TlsCertificateIr cert)
    {
        lock (_gate)
        {
            if (_used.TryGetValue(cert, out var e)) return e;
            if (!_entries.TryGetValue(cert, out e)) e = Load(cert);
            _used[cert] = e;
            return e;
        }
    }

    private static Entry Load(TlsCertificateIr cert)
    {
        X509Certificate2 leaf;
        try
        {
            using var ephemeral = X509Certificate2.CreateFromPem(cert.CertificatePem, cert.PrivateKeyPem);
            // Re-import so the key is usable by SslStream on every platform.
            leaf = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"certificate {cert.Source}: {ex.Message}", ex);
        }
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(cert.CertificatePem);
        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < chain.Count; i++) intermediates.Add(chain[i]);
        var context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
        return new Entry(leaf, context, cert);
    }

    /// <summary>Parses a PEM bundle of CA certificates.</summary>
    public static X509Certificate2Collection LoadBundle(string pem)
    {
        var c = new X509Certificate2Collection();
        c.ImportFromPem(pem);
        if (c.Count == 0) throw new InvalidOperationException("CA bundle holds no certificate");
        return c;
    }
}
