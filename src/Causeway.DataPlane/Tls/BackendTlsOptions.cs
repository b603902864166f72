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
    /// <remarks>
    /// An Envoy Gateway Backend's <c>tls</c> narrows the versions (<see cref="BackendTlsIr.MinVersion"/>/<see cref="BackendTlsIr.MaxVersion"/>),
    /// the TLS 1.2 suites (<see cref="BackendTlsIr.Ciphers"/>, with the TLS 1.3 defaults kept, as Envoy's ciphers
    /// apply to TLS 1.2 only) and replaces the ALPN list (<see cref="BackendTlsIr.AlpnProtocols"/>; empty: no ALPN).
    /// </remarks>
    public static SslClientAuthenticationOptions Create(
        BackendTlsIr tls, BackendCertificateValidator validator, SslApplicationProtocol? applicationProtocol = null) => new()
    {
        TargetHost = tls.Hostname,
        EnabledSslProtocols = Policies.ClientTraffic.ClientTlsSettings.Protocols(tls.MinVersion ?? "1.2", tls.MaxVersion ?? "1.3"),
        CipherSuitesPolicy = Policies.ClientTraffic.ClientTlsSettings.Ciphers(tls.Ciphers),
        ApplicationProtocols = tls.AlpnProtocols is { } list
            ? list.Count == 0 ? null : [.. list.AsImmutableArray().Select(Policies.ClientTraffic.ClientTlsSettings.Protocol)]
            : applicationProtocol is { } alpn ? [alpn] : null,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = validator.Validate,
    };
}
