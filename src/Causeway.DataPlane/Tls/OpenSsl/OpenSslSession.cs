using System.Runtime.InteropServices;
using System.Security.Authentication;

namespace Causeway.DataPlane.Tls.OpenSsl;

/// <summary>
/// One server-side TLS connection driven by its owner's thread (an event loop) over memory BIOs: the owner feeds the
/// ciphertext it read from the socket (<see cref="Feed"/>), runs the handshake, reads and writes plaintext, and sends
/// what <see cref="TakeOutput"/> yields. No call blocks or touches the socket, so the owner keeps its own readiness
/// bookkeeping and one receive can carry several records. Not thread-safe; <see cref="Dispose"/> on the owner's thread.
/// </summary>
internal sealed unsafe class OpenSslSession : IDisposable
{
    private nint _ssl;
    private readonly nint _rbio;

    /// <summary>Kept reachable while the session lives: its handshake may call the context's validator.</summary>
    private readonly OpenSslContext _context;
    private readonly nint _wbio;

    public OpenSslSession(OpenSslContext context)
    {
        _context = context;
        var added = false;
        context.DangerousAddRef(ref added);
        try
        {
            _ssl = LibSsl.SSL_new(context.DangerousGetHandle()); // the SSL holds its own reference to the context
        }
        finally
        {
            if (added) context.DangerousRelease();
        }
        if (_ssl == 0) throw new InvalidOperationException($"SSL_new: {LibSsl.TakeError()}");
        _rbio = LibSsl.BIO_new(LibSsl.BIO_s_mem());
        _wbio = LibSsl.BIO_new(LibSsl.BIO_s_mem());
        LibSsl.SSL_set_bio(_ssl, _rbio, _wbio); // the SSL owns both BIOs from here on
        LibSsl.SSL_set_accept_state(_ssl);
    }

    /// <summary>The handshake completed.</summary>
    public bool Established { get; private set; }

    /// <summary>Why the handshake or a read failed (OpenSSL's reason), once it did.</summary>
    public string? Error { get; private set; }

    /// <summary>Ciphertext from the peer, in order; the BIO keeps what the next calls have not consumed.</summary>
    public void Feed(ReadOnlySpan<byte> ciphertext)
    {
        fixed (byte* p = ciphertext)
        {
            if (LibSsl.BIO_write(_rbio, p, ciphertext.Length) != ciphertext.Length) throw new OutOfMemoryException("BIO_write");
        }
    }

    /// <summary>One handshake step: true when established, false while it needs more from the peer; throws when it failed.</summary>
    public bool Handshake()
    {
        int r;
        t_handshaking = this; // for the verify callback, which OpenSSL calls inside SSL_do_handshake on this thread
        try
        {
            r = LibSsl.SSL_do_handshake(_ssl);
        }
        finally
        {
            t_handshaking = null;
        }
        if (r == 1)
        {
            Established = true;
            return true;
        }
        var error = LibSsl.SSL_get_error(_ssl, r);
        if (error is LibSsl.ErrorWantRead or LibSsl.ErrorWantWrite) return false;
        Error = LibSsl.TakeError() ?? $"handshake failed (SSL error {error})";
        throw new AuthenticationException(Error);
    }

    /// <summary>Decrypts into <paramref name="into"/>: bytes, 0 when the peer sent close_notify, -1 when more ciphertext is needed, -2 on error.</summary>
    public int Read(Span<byte> into)
    {
        int n;
        fixed (byte* p = into) n = LibSsl.SSL_read(_ssl, p, into.Length);
        if (n > 0) return n;
        var error = LibSsl.SSL_get_error(_ssl, n);
        switch (error)
        {
            case LibSsl.ErrorWantRead or LibSsl.ErrorWantWrite:
                return -1;
            case LibSsl.ErrorZeroReturn:
                return 0;
            default:
                Error = LibSsl.TakeError() ?? $"SSL error {error}";
                return -2;
        }
    }

    /// <summary>Encrypts all of <paramref name="plaintext"/> into the output (memory BIOs take everything).</summary>
    public void Write(ReadOnlySpan<byte> plaintext)
    {
        fixed (byte* p = plaintext)
        {
            var done = 0;
            while (done < plaintext.Length)
            {
                var n = LibSsl.SSL_write(_ssl, p + done, plaintext.Length - done);
                if (n <= 0)
                {
                    var error = LibSsl.SSL_get_error(_ssl, n);
                    Error = LibSsl.TakeError() ?? $"SSL error {error}";
                    throw new IOException($"TLS write failed: {Error}");
                }
                done += n;
            }
        }
    }

    /// <summary>Ciphertext waiting to be sent.</summary>
    public int PendingOutput => (int)LibSsl.BIO_ctrl_pending(_wbio);

    /// <summary>Moves up to <paramref name="into"/>'s length of waiting ciphertext into it.</summary>
    public int TakeOutput(Span<byte> into)
    {
        fixed (byte* p = into)
        {
            var n = LibSsl.BIO_read(_wbio, p, into.Length);
            return n > 0 ? n : 0;
        }
    }

    /// <summary>Queues close_notify (once the handshake is done; a no-op otherwise).</summary>
    public void Shutdown()
    {
        if (!Established || _ssl == 0) return;
        if (LibSsl.SSL_shutdown(_ssl) < 0) LibSsl.ERR_clear_error();
    }

    /// <summary>The negotiated version.</summary>
    public SslProtocols Protocol => LibSsl.SSL_version(_ssl) switch
    {
        LibSsl.Tls13Version => SslProtocols.Tls13,
        LibSsl.Tls12Version => SslProtocols.Tls12,
        _ => SslProtocols.None,
    };

    /// <summary>Whether the handshake resumed an earlier session.</summary>
    public bool Resumed => LibSsl.SSL_session_reused(_ssl) == 1;

    /// <summary>The ALPN protocol chosen, or empty.</summary>
    public ReadOnlySpan<byte> Alpn
    {
        get
        {
            byte* data;
            uint length;
            LibSsl.SSL_get0_alpn_selected(_ssl, &data, &length);
            return data == null ? default : new ReadOnlySpan<byte>(data, (int)length);
        }
    }

    [ThreadStatic] private static OpenSslSession? t_handshaking;

    /// <summary>The client certificate the verify callback accepted during this session's handshake (already managed).</summary>
    private System.Security.Cryptography.X509Certificates.X509Certificate2? _verifiedPeer;

    /// <summary>
    /// Called by <see cref="ClientCertificateVerification"/> with the client certificate it accepted: the session
    /// whose <see cref="Handshake"/> is running on this thread keeps it, so <see cref="PeerCertificate"/> does not
    /// decode it a second time.
    /// </summary>
    internal static void Verified(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        if (t_handshaking is { } session) session._verifiedPeer = certificate;
    }

    /// <summary>The client's certificate (null when it sent none), once the handshake is done.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? PeerCertificate()
    {
        if (_verifiedPeer is { } verified) return verified;
        var x509 = LibSsl.SSL_get1_peer_certificate(_ssl);
        if (x509 == 0) return null;
        try
        {
            return LibSsl.ToManaged(x509);
        }
        finally
        {
            LibSsl.X509_free(x509);
        }
    }

    /// <summary>The context the session was made with.</summary>
    public OpenSslContext Context => _context;

    /// <summary>The negotiated cipher's OpenSSL name.</summary>
    public string? Cipher => Marshal.PtrToStringAnsi(LibSsl.SSL_CIPHER_get_name(LibSsl.SSL_get_current_cipher(_ssl)));

    public void Dispose()
    {
        if (_ssl == 0) return;
        LibSsl.SSL_free(_ssl);
        _ssl = 0;
    }
}
