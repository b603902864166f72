namespace Causeway.DataPlane.Tls;

/// <summary>
/// The name and usage rules a backend certificate is checked with. HTTP and L4 TLS origination historically differed in
/// these details; both are kept (what connects must not change) until they are converged deliberately.
/// </summary>
internal enum BackendCertificateRules
{
    /// <summary>
    /// HTTP origination: with BackendTLSPolicy CAs the chain must allow serverAuth; the hostname (or each
    /// subjectAltName) is matched RFC 6125 style against the certificate's SANs only (no CN fallback, a wildcard covers
    /// exactly one label, a trailing dot on either side is ignored).
    /// </summary>
    Strict,

    /// <summary>
    /// L4 (TLSRoute terminate) origination: no EKU requirement with BackendTLSPolicy CAs; the hostname is matched by the
    /// platform (falls back to the CN when the certificate has no DNS SAN; a trailing dot in the SAN does not match);
    /// DNS subjectAltNames are matched with Gateway API hostname rules (<c>*.example.com</c> in the certificate covers
    /// any depth, <c>*</c> covers every name, a wildcard subjectAltName matches the same wildcard SAN).
    /// </summary>
    Permissive,
}
