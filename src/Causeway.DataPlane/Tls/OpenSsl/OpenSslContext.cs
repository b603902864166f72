using System.Runtime.InteropServices;
using System.Text;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Tls.OpenSsl;

/// <summary>
/// An OpenSSL server context (<c>SSL_CTX</c>) for one certificate and one listener's TLS settings, built once and shared
/// by every connection the event loops terminate with it (each <c>SSL</c> holds its own reference, so a context
/// replaced by a rotation lives on until its last connection ends). Its session cache and ticket keys belong to it:
/// kept across applies by <see cref="CertificateStore"/>, resumption survives unrelated configuration changes. A context
/// of a listener that validates client certificates calls that listener's validator from its handshakes
/// (<see cref="ClientCertificateVerification"/>) and never resumes a session.
/// </summary>
internal sealed class OpenSslContext : SafeHandle
{
    private OpenSslContext() : base(0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>The handle <see cref="ClientCertificateVerification"/> finds the validator by (allocated: the context validates).</summary>
    private GCHandle _validator;

    /// <summary>The client-certificate validator its handshakes call, or null when it asks for no certificate.</summary>
    public ClientValidation.ClientCertificateValidator? Validator { get; private init; }

    /// <summary>The certificate it presents (the XFCC header's <c>By</c>), set by <see cref="CertificateStore"/>.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Local { get; init; }

    /// <summary>
    /// Builds the context; throws with OpenSSL's reason when the certificate or key is unusable. With
    /// <see cref="LoopTlsSettings.ClientValidation"/>, <paramref name="validator"/> (compiled from it) judges clients.
    /// </summary>
    public static unsafe OpenSslContext Create(TlsCertificateIr certificate, LoopTlsSettings settings,
        ClientValidation.ClientCertificateValidator? validator = null,
        System.Security.Cryptography.X509Certificates.X509Certificate2? local = null)
    {
        if (settings.ClientValidation is not null && validator is null)
            throw new ArgumentException("a validating context needs its validator", nameof(validator));
        var context = new OpenSslContext { Validator = settings.ClientValidation is null ? null : validator, Local = local };
        var ctx = LibSsl.SSL_CTX_new(LibSsl.TLS_server_method());
        if (ctx == 0) throw Failure(certificate, "SSL_CTX_new");
        context.SetHandle(ctx);
        try
        {
            // A resumed session skips client validation: with it (and across CA rotations) every handshake is full.
            var resumption = settings.Resumption && context.Validator is null;
            LibSsl.SSL_CTX_set_options(ctx, LibSsl.OpNoRenegotiation | LibSsl.OpNoCompression | LibSsl.OpCipherServerPreference
                | LibSsl.OpIgnoreUnexpectedEof | (resumption ? 0 : LibSsl.OpNoTicket));
            LibSsl.SetMode(ctx, LibSsl.ModeReleaseBuffers);
            if (!LibSsl.SetProtocolVersions(ctx, settings.MinVersion, settings.MaxVersion)) throw Failure(certificate, "protocol versions");
            if (context.Validator is { } v) context._validator = ClientCertificateVerification.Install(ctx, v);
            if (!resumption)
            {
                LibSsl.SetSessionCache(ctx, on: false);
                LibSsl.SSL_CTX_set_num_tickets(ctx, 0);
            }
            if (settings.Alpn != LoopAlpn.Off)
                LibSsl.SSL_CTX_set_alpn_select_cb(ctx, &LibSsl.SelectAlpn, settings.Alpn switch
                {
                    LoopAlpn.H2First => LibSsl.AlpnH2First,
                    LoopAlpn.Http11First => LibSsl.AlpnHttp11First,
                    _ => LibSsl.AlpnHttp11Only,
                });
            if (settings.Ciphers is { } ciphers && !LibSsl.SetCiphers(ctx, ciphers.Split(':'))) throw Failure(certificate, "cipher list");
            if (settings.Groups is { } groups && !LibSsl.SetGroups(ctx, groups)) throw Failure(certificate, "ECDH curves");
            if (settings.SignatureAlgorithms is { } sigalgs && !LibSsl.SetSignatureAlgorithms(ctx, sigalgs)) throw Failure(certificate, "signature algorithms");
            LoadChain(ctx, certificate);
            LoadKey(ctx, certificate);
            if (LibSsl.SSL_CTX_check_private_key(ctx) != 1) throw Failure(certificate, "the private key does not match the certificate");
        }
        catch
        {
            context.Dispose();
            throw;
        }
        return context;
    }

    private static void LoadChain(nint ctx, TlsCertificateIr certificate) => WithPem(certificate.CertificatePem, bio =>
    {
        var leaf = LibSsl.PEM_read_bio_X509(bio, 0, 0, 0);
        if (leaf == 0) throw Failure(certificate, "no certificate in the PEM");
        var used = LibSsl.SSL_CTX_use_certificate(ctx, leaf);
        LibSsl.X509_free(leaf);
        if (used != 1) throw Failure(certificate, "certificate");
        while (LibSsl.PEM_read_bio_X509(bio, 0, 0, 0) is var next && next != 0)
        {
            var added = LibSsl.AddChainCertificate(ctx, next);
            LibSsl.X509_free(next);
            if (!added) throw Failure(certificate, "chain certificate");
        }
        LibSsl.ERR_clear_error(); // the loop above ends on "no start line"
    });

    private static void LoadKey(nint ctx, TlsCertificateIr certificate) => WithPem(certificate.PrivateKeyPem, bio =>
    {
        var key = LibSsl.PEM_read_bio_PrivateKey(bio, 0, 0, 0);
        if (key == 0) throw Failure(certificate, "no usable private key in the PEM");
        var used = LibSsl.SSL_CTX_use_PrivateKey(ctx, key);
        LibSsl.EVP_PKEY_free(key);
        if (used != 1) throw Failure(certificate, "private key");
    });

    /// <summary>Runs <paramref name="read"/> over a read-only memory BIO of <paramref name="pem"/>; the bytes are wiped after.</summary>
    private static unsafe void WithPem(string pem, Action<nint> read)
    {
        var bytes = Encoding.ASCII.GetBytes(pem);
        fixed (byte* p = bytes)
        {
            var bio = LibSsl.BIO_new_mem_buf(p, bytes.Length);
            try
            {
                read(bio);
            }
            finally
            {
                LibSsl.BIO_free(bio);
                bytes.AsSpan().Clear();
            }
        }
    }

    /// <summary>An error naming the certificate's source and OpenSSL's reason (never the key material).</summary>
    private static InvalidOperationException Failure(TlsCertificateIr certificate, string what) =>
        new($"certificate {certificate.Source}: {what}: {LibSsl.TakeError() ?? "rejected by OpenSSL"}");

    protected override bool ReleaseHandle()
    {
        LibSsl.SSL_CTX_free(handle);
        // Sessions keep their context (and so this handle) alive: no handshake of this context runs any more.
        if (_validator.IsAllocated) _validator.Free();
        return true;
    }
}

/// <summary>How a context answers ALPN (see <see cref="LibSsl.SelectAlpn"/>).</summary>
internal enum LoopAlpn { Off, Http11Only, H2First, Http11First }

/// <summary>
/// What of a listener's ClientTrafficPolicy <c>tls</c> an <see cref="OpenSslContext"/> carries: versions, resumption,
/// TLS 1.2 suites (IANA names, colon-separated), groups, signature algorithms and ALPN, and the listener's client
/// certificate validation (part of the context's identity: listeners validating differently never share a context).
/// <see cref="From"/> is null for settings only SslStream serves as configured (an ALPN protocol other than h2 and http/1.1).
/// </summary>
/// <param name="ServesH2">The loop terminates clients that offer h2 too, and hands them to Kestrel's HTTP/2 decrypted:
/// the listener has settings SslStream cannot apply (groups, signature algorithms), so every client must meet OpenSSL.</param>
internal readonly record struct LoopTlsSettings(int MinVersion, int MaxVersion, bool Resumption, LoopAlpn Alpn,
    string? Ciphers = null, string? Groups = null, string? SignatureAlgorithms = null, bool ServesH2 = false,
    ClientValidationIr? ClientValidation = null)
{
    public static readonly LoopTlsSettings Default = new(LibSsl.Tls12Version, LibSsl.Tls13Version, Resumption: true, LoopAlpn.Http11Only);

    /// <summary>
    /// The same settings for a port whose HTTP/2 the loop serves itself: ALPN offers h2 in the configured order (h2
    /// first by default), and a client choosing it stays on the loop.
    /// </summary>
    public LoopTlsSettings ForLoopH2()
    {
        if (H2Alpn == LoopAlpn.Http11Only) return this;
        return this with { Alpn = H2Alpn };
    }

    /// <summary>How ALPN is answered when h2 is served (<see cref="ForLoopH2"/>): the configured order, h2 first by default.</summary>
    public LoopAlpn H2Alpn { get; init; } = LoopAlpn.H2First;

    public static LoopTlsSettings? From(ClientTlsIr? tls)
    {
        if (tls is null) return Default;
        if (tls.AlpnProtocols is { } list && list.Any(p => p is not ("h2" or "http/1.1"))) return null;
        var servesH2 = tls.EcdhCurves is not null || tls.SignatureAlgorithms is not null;
        var order = tls.AlpnProtocols is { } configured ? configured.ToList() : ["h2", "http/1.1"];
        var h2Alpn = order.Count == 0 ? LoopAlpn.Off
            : !order.Contains("h2") ? LoopAlpn.Http11Only
            : order.Contains("http/1.1") && order.IndexOf("http/1.1") < order.IndexOf("h2") ? LoopAlpn.Http11First
            : LoopAlpn.H2First;
        var alpn = servesH2 || h2Alpn is LoopAlpn.Off or LoopAlpn.Http11Only ? h2Alpn : LoopAlpn.Http11Only;
        return new LoopTlsSettings(
            tls.MinVersion == "1.3" ? LibSsl.Tls13Version : LibSsl.Tls12Version,
            tls.MaxVersion == "1.2" ? LibSsl.Tls12Version : LibSsl.Tls13Version,
            tls.SessionResumption ?? true,
            alpn,
            tls.Ciphers is { Count: > 0 } c ? string.Join(':', c) : null,
            tls.EcdhCurves is { Count: > 0 } g ? string.Join(':', g) : null,
            tls.SignatureAlgorithms is { Count: > 0 } s ? string.Join(':', s) : null,
            servesH2) { H2Alpn = h2Alpn };
    }
}
