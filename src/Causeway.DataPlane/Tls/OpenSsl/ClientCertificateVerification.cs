using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using Causeway.DataPlane.Tls.ClientValidation;

namespace Causeway.DataPlane.Tls.OpenSsl;

/// <summary>
/// Client-certificate validation on a context the event loops terminate with: OpenSSL asks for a certificate
/// (<c>SSL_VERIFY_PEER</c>, and fails a client sending none when the validator refuses that) and, instead of its own
/// chain check, calls <see cref="Verify"/>, which hands what the client sent to the listener's
/// <see cref="ClientCertificateValidator"/> — the one SslStream's callback calls, so both give the same verdicts.
/// </summary>
internal static unsafe class ClientCertificateVerification
{
    /// <summary>Id context of the validating contexts' sessions (resumption is off on them; OpenSSL wants one with SSL_VERIFY_PEER).</summary>
    private static ReadOnlySpan<byte> SessionIdContext => "causeway-client-validation"u8;

    /// <summary>
    /// Makes <paramref name="ctx"/> validate client certificates with <paramref name="validator"/>; returns the handle
    /// the callback finds it by, which the context frees when it is released.
    /// </summary>
    public static GCHandle Install(nint ctx, ClientCertificateValidator validator)
    {
        var handle = GCHandle.Alloc(validator);
        LibSsl.SSL_CTX_set_verify(ctx, LibSsl.VerifyPeer | (validator.AcceptsNoCertificate ? 0 : LibSsl.VerifyFailIfNoPeerCert), 0);
        LibSsl.SSL_CTX_set_cert_verify_callback(ctx, &Verify, GCHandle.ToIntPtr(handle));
        fixed (byte* id = SessionIdContext) LibSsl.SSL_CTX_set_session_id_context(ctx, id, (uint)SessionIdContext.Length);
        return handle;
    }

    /// <summary>
    /// OpenSSL's <c>cert_verify_callback</c>: the client's certificate and what it sent with it (the store context's
    /// untrusted stack) as managed certificates, judged by the validator. 1 passes; 0 fails the handshake with a
    /// bad_certificate alert. Never throws into OpenSSL: a failure to decode or validate is a refusal.
    /// </summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Verify(nint storeCtx, nint arg)
    {
        bool ok;
        try
        {
            var validator = (ClientCertificateValidator)GCHandle.FromIntPtr(arg).Target!;
            var leaf = LibSsl.X509_STORE_CTX_get0_cert(storeCtx);
            X509Certificate2Collection? presented = null;
            var untrusted = LibSsl.X509_STORE_CTX_get0_untrusted(storeCtx);
            if (untrusted != 0)
            {
                presented = new X509Certificate2Collection();
                var count = LibSsl.OPENSSL_sk_num(untrusted);
                for (var i = 0; i < count; i++)
                {
                    var x509 = LibSsl.OPENSSL_sk_value(untrusted, i);
                    if (x509 != leaf && LibSsl.ToManaged(x509) is { } c) presented.Add(c);
                }
            }
            var certificate = LibSsl.ToManaged(leaf);
            ok = certificate is not null && validator.Validate(certificate, presented);
            if (ok) OpenSslSession.Verified(certificate!); // the session's peer certificate, decoded once
        }
        catch (Exception)
        {
            ok = false;
        }
        if (!ok) LibSsl.X509_STORE_CTX_set_error(storeCtx, LibSsl.X509ErrorCertUntrusted);
        return ok ? 1 : 0;
    }
}
