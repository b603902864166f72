using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Causeway.DataPlane.Tls.OpenSsl;

/// <summary>
/// The OpenSSL 3 calls the event loop's TLS makes (the system's libssl.so.3 and libcrypto.so.3, the libraries .NET
/// itself uses on Linux). Constants are OpenSSL 3.0's; the macros of <c>ssl.h</c> are spelled out as the
/// <c>SSL_CTX_ctrl</c>/<c>BIO_ctrl</c> calls they expand to.
/// </summary>
internal static unsafe partial class LibSsl
{
    private const string Ssl = "libssl.so.3";
    private const string Crypto = "libcrypto.so.3";

    public const int Tls12Version = 0x0303, Tls13Version = 0x0304;
    public const int ErrorNone = 0, ErrorSsl = 1, ErrorWantRead = 2, ErrorWantWrite = 3, ErrorSyscall = 5, ErrorZeroReturn = 6;
    public const ulong OpNoTicket = 1UL << 14, OpNoCompression = 1UL << 17, OpCipherServerPreference = 1UL << 22,
        OpNoRenegotiation = 1UL << 30, OpIgnoreUnexpectedEof = 1UL << 7;
    public const long ModeReleaseBuffers = 0x10;
    public const int AlpnOk = 0, AlpnNoAck = 3;

    private const int CtrlSetGroupsList = 92, CtrlSetSigalgsList = 98;
    private const int CtrlMode = 33, CtrlSetSessCacheMode = 44, CtrlChainCert = 89, CtrlSetMinProtoVersion = 123, CtrlSetMaxProtoVersion = 124;
    private const int SessCacheOff = 0, SessCacheServer = 2;

    /// <summary>Whether the system's libssl 3 can be loaded (checked once).</summary>
    public static bool IsAvailable => Available.Value;

    private static readonly Lazy<bool> Available = new(() =>
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return OpenSSL_version_num() >= 0x30000000;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    });

    [LibraryImport(Crypto)] private static partial ulong OpenSSL_version_num();

    [LibraryImport(Ssl)] public static partial nint TLS_server_method();
    [LibraryImport(Ssl)] public static partial nint SSL_CTX_new(nint method);
    [LibraryImport(Ssl)] public static partial void SSL_CTX_free(nint ctx);
    [LibraryImport(Ssl)] public static partial ulong SSL_CTX_set_options(nint ctx, ulong options);
    [LibraryImport(Ssl)] private static partial long SSL_CTX_ctrl(nint ctx, int cmd, long larg, nint parg);
    [LibraryImport(Ssl)] public static partial int SSL_CTX_use_certificate(nint ctx, nint x509);
    [LibraryImport(Ssl)] public static partial int SSL_CTX_use_PrivateKey(nint ctx, nint pkey);
    [LibraryImport(Ssl)] public static partial int SSL_CTX_check_private_key(nint ctx);
    [LibraryImport(Ssl)] public static partial int SSL_CTX_set_num_tickets(nint ctx, nuint tickets);
    [LibraryImport(Ssl)] public static partial void SSL_CTX_set_alpn_select_cb(nint ctx,
        delegate* unmanaged[Cdecl]<nint, byte**, byte*, byte*, uint, nint, int> callback, nint arg);

    public const int VerifyPeer = 0x01, VerifyFailIfNoPeerCert = 0x02;

    /// <summary><c>X509_V_ERR_CERT_UNTRUSTED</c>: the reason a refused client certificate gets (a bad_certificate alert).</summary>
    public const int X509ErrorCertUntrusted = 27;

    [LibraryImport(Ssl)] public static partial void SSL_CTX_set_verify(nint ctx, int mode, nint callback);
    [LibraryImport(Ssl)] public static partial void SSL_CTX_set_cert_verify_callback(nint ctx, delegate* unmanaged[Cdecl]<nint, nint, int> callback, nint arg);
    [LibraryImport(Ssl)] public static partial int SSL_CTX_set_session_id_context(nint ctx, byte* context, uint length);
    [LibraryImport(Ssl)] public static partial nint SSL_get1_peer_certificate(nint ssl);
    [LibraryImport(Crypto)] public static partial nint X509_STORE_CTX_get0_cert(nint storeCtx);
    [LibraryImport(Crypto)] public static partial nint X509_STORE_CTX_get0_untrusted(nint storeCtx);
    [LibraryImport(Crypto)] public static partial void X509_STORE_CTX_set_error(nint storeCtx, int error);
    [LibraryImport(Crypto)] public static partial int OPENSSL_sk_num(nint stack);
    [LibraryImport(Crypto)] public static partial nint OPENSSL_sk_value(nint stack, int index);
    [LibraryImport(Crypto)] private static partial int i2d_X509(nint x509, byte** output);
    [LibraryImport(Crypto)] private static partial void CRYPTO_free(nint pointer, byte* file, int line);

    /// <summary>An OpenSSL certificate (not owned: the caller frees it if it must) as a managed one, or null when it does not encode.</summary>
    public static System.Security.Cryptography.X509Certificates.X509Certificate2? ToManaged(nint x509)
    {
        if (x509 == 0) return null;
        byte* der = null;
        var length = i2d_X509(x509, &der);
        if (length <= 0 || der == null) return null;
        try
        {
            return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(new ReadOnlySpan<byte>(der, length));
        }
        finally
        {
            CRYPTO_free((nint)der, null, 0); // OPENSSL_free
        }
    }

    public static bool SetProtocolVersions(nint ctx, int min, int max) =>
        SSL_CTX_ctrl(ctx, CtrlSetMinProtoVersion, min, 0) == 1 && SSL_CTX_ctrl(ctx, CtrlSetMaxProtoVersion, max, 0) == 1;

    public static bool SetGroups(nint ctx, string list) => CtrlString(ctx, CtrlSetGroupsList, list);
    public static bool SetSignatureAlgorithms(nint ctx, string list) => CtrlString(ctx, CtrlSetSigalgsList, list);

    private static bool CtrlString(nint ctx, int cmd, string value)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(value + "\0");
        fixed (byte* p = bytes) return SSL_CTX_ctrl(ctx, cmd, 0, (nint)p) == 1;
    }

    [LibraryImport(Ssl)] private static partial int SSL_CTX_set_cipher_list(nint ctx, byte* list);
    [LibraryImport(Ssl)] private static partial nint OPENSSL_cipher_name(byte* standardName);

    /// <summary>The TLS 1.2 suites given by IANA name, as OpenSSL's list; false when OpenSSL knows none of a name or refuses the list.</summary>
    public static bool SetCiphers(nint ctx, IEnumerable<string> ianaNames)
    {
        var names = new List<string>();
        foreach (var iana in ianaNames)
        {
            var bytes = System.Text.Encoding.ASCII.GetBytes(iana + "\0");
            string? name;
            fixed (byte* p = bytes) name = Marshal.PtrToStringAnsi(OPENSSL_cipher_name(p));
            if (string.IsNullOrEmpty(name) || name == "(NONE)") return false;
            names.Add(name);
        }
        var list = System.Text.Encoding.ASCII.GetBytes(string.Join(':', names) + "\0");
        fixed (byte* p = list) return SSL_CTX_set_cipher_list(ctx, p) == 1;
    }

    public static void SetSessionCache(nint ctx, bool on) => SSL_CTX_ctrl(ctx, CtrlSetSessCacheMode, on ? SessCacheServer : SessCacheOff, 0);
    public static void SetMode(nint ctx, long mode) => SSL_CTX_ctrl(ctx, CtrlMode, mode, 0);

    /// <summary><c>SSL_CTX_add1_chain_cert</c>: the context takes its own reference.</summary>
    public static bool AddChainCertificate(nint ctx, nint x509) => SSL_CTX_ctrl(ctx, CtrlChainCert, 1, x509) == 1;

    [LibraryImport(Ssl)] public static partial nint SSL_new(nint ctx);
    [LibraryImport(Ssl)] public static partial void SSL_free(nint ssl);
    [LibraryImport(Ssl)] public static partial void SSL_set_bio(nint ssl, nint rbio, nint wbio);
    [LibraryImport(Ssl)] public static partial void SSL_set_accept_state(nint ssl);
    [LibraryImport(Ssl)] public static partial int SSL_do_handshake(nint ssl);
    [LibraryImport(Ssl)] public static partial int SSL_read(nint ssl, byte* buffer, int length);
    [LibraryImport(Ssl)] public static partial int SSL_write(nint ssl, byte* buffer, int length);
    [LibraryImport(Ssl)] public static partial int SSL_get_error(nint ssl, int ret);
    [LibraryImport(Ssl)] public static partial int SSL_pending(nint ssl);
    [LibraryImport(Ssl)] public static partial int SSL_shutdown(nint ssl);
    [LibraryImport(Ssl)] public static partial int SSL_version(nint ssl);
    [LibraryImport(Ssl)] public static partial int SSL_session_reused(nint ssl);
    [LibraryImport(Ssl)] public static partial void SSL_get0_alpn_selected(nint ssl, byte** data, uint* length);
    [LibraryImport(Ssl)] public static partial nint SSL_get_current_cipher(nint ssl);
    [LibraryImport(Ssl)] public static partial nint SSL_CIPHER_get_name(nint cipher);

    [LibraryImport(Crypto)] public static partial nint BIO_s_mem();
    [LibraryImport(Crypto)] public static partial nint BIO_new(nint method);
    [LibraryImport(Crypto)] public static partial nint BIO_new_mem_buf(byte* data, int length);
    [LibraryImport(Crypto)] public static partial int BIO_free(nint bio);
    [LibraryImport(Crypto)] public static partial int BIO_write(nint bio, byte* data, int length);
    [LibraryImport(Crypto)] public static partial int BIO_read(nint bio, byte* data, int length);
    [LibraryImport(Crypto)] public static partial nuint BIO_ctrl_pending(nint bio);
    [LibraryImport(Crypto)] public static partial nint PEM_read_bio_X509(nint bio, nint x509, nint callback, nint arg);
    [LibraryImport(Crypto)] public static partial nint PEM_read_bio_PrivateKey(nint bio, nint pkey, nint callback, nint arg);
    [LibraryImport(Crypto)] public static partial void X509_free(nint x509);
    [LibraryImport(Crypto)] public static partial void EVP_PKEY_free(nint pkey);
    [LibraryImport(Crypto)] public static partial ulong ERR_get_error();
    [LibraryImport(Crypto)] public static partial void ERR_clear_error();
    [LibraryImport(Crypto)] private static partial void ERR_error_string_n(ulong error, byte* buffer, nuint length);

    /// <summary>The oldest error on this thread's OpenSSL error queue as text (queue cleared), or null.</summary>
    public static string? TakeError()
    {
        var e = ERR_get_error();
        ERR_clear_error();
        if (e == 0) return null;
        var buffer = stackalloc byte[256];
        ERR_error_string_n(e, buffer, 256);
        return Marshal.PtrToStringAnsi((nint)buffer);
    }

    /// <summary>ALPN answers of <see cref="SelectAlpn"/>, passed as its argument.</summary>
    public const nint AlpnHttp11Only = 0, AlpnH2First = 1, AlpnHttp11First = 2;

    /// <summary>
    /// ALPN for connections the loop terminates: http/1.1 when the client offers it (and, when the listener's context
    /// serves h2 too, h2 in the listener's order of preference); else no ALPN at all. Clients that offer h2 on a port
    /// whose context does not serve it are handed to Kestrel before the handshake, so h2 is chosen only when asked to.
    /// </summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    public static int SelectAlpn(nint ssl, byte** output, byte* outputLength, byte* input, uint inputLength, nint arg)
    {
        var offered = new ReadOnlySpan<byte>(input, (int)inputLength);
        int http11 = -1, h2 = -1;
        var i = 0;
        while (i < offered.Length)
        {
            var n = offered[i];
            if (i + 1 + n > offered.Length) break;
            var name = offered.Slice(i + 1, n);
            if (name.SequenceEqual("http/1.1"u8)) http11 = i;
            else if (name.SequenceEqual("h2"u8)) h2 = i;
            i += 1 + n;
        }
        var chosen = arg switch
        {
            AlpnH2First => h2 >= 0 ? h2 : http11,
            AlpnHttp11First => http11 >= 0 ? http11 : h2,
            _ => http11,
        };
        if (chosen < 0) return AlpnNoAck;
        *output = input + chosen + 1;
        *outputLength = input[chosen];
        return AlpnOk;
    }
}
