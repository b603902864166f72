using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Tls;

/// <summary>Client options for TLS origination to a backend (BackendTLSPolicy), HTTP and L4 alike.</summary>
internal static class BackendTlsOptions
{
    /// <summary>
    /// SNI = <see cref="BackendTlsIr.Hostname"/>, TLS 1.2/1.3, no revocation fetching, the certificate checked by
    /// <paramref name="validator"/>; <paramref name="applicationProtocol"/> is offered by ALPN when given. The caller adds
    /// the Gateway's backend client certificate (spec.tls.backend.clientCertificateRef), if any. A fresh instance each
    /// call: callers may set per-handshake fields.
    /// </summary>
    public static SslClientAuthenticationOptions Create(
        BackendTlsIr tls, BackendCertificateValidator validator, SslApplicationProtocol? applicationProtocol = null) => new()
    {
        TargetHost = tls.Hostname,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        ApplicationProtocols = applicationProtocol is { } alpn ? [alpn] : null,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = validator.Validate,
    };
}
