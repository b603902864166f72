using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Causeway.Translation.Ir;
using Causeway.Translation.Tls.ClientValidation;

namespace Causeway.DataPlane.Tls.ClientValidation;

/// <summary>
/// A listener's client-certificate validation (the Gateway's frontend validation or a ClientTrafficPolicy's
/// clientValidation: one <see cref="ClientValidationIr"/>) compiled once per apply and called by the TLS handshake of
/// every HTTPS transport. A certificate is asked for whenever validation is configured; what passes depends on the mode:
/// a certificate chaining to the CAs (expiry forgiven when allowed), then the certificate hash or SPKI lists (either
/// matching), then the SAN matchers (one matching), then the revocation lists (every checked certificate needs a list
/// from its issuer, signed by it, that does not revoke it — OpenSSL's CRL check).
/// </summary>
internal sealed class ClientCertificateValidator
{
    private readonly ClientValidationMode _mode;
    private readonly ChainValidator _chain;
    private readonly bool _allowExpired;
    private readonly HashSet<string>? _certificateHashes;
    private readonly HashSet<string>? _spkiHashes;
    private readonly (SanMatcherIr Ir, Regex? Regex)[] _sans;
    private readonly List<RevocationList>? _crls;
    private readonly bool _crlOnlyLeaf;

    public ClientCertificateValidator(ClientValidationIr ir)
    {
        _mode = ir.Mode;
        var roots = new X509Certificate2Collection();
        if (!string.IsNullOrWhiteSpace(ir.CaBundlePem)) roots.ImportFromPem(ir.CaBundlePem);
        _chain = new ChainValidator(roots);
        _allowExpired = ir.AllowExpired;
        _certificateHashes = ir.CertificateHashes is { Count: > 0 } ch ? new HashSet<string>(ch, StringComparer.Ordinal) : null;
        _spkiHashes = ir.SpkiHashes is { Count: > 0 } sh ? new HashSet<string>(sh, StringComparer.Ordinal) : null;
        _sans = ir.SubjectAltNames is { Count: > 0 } sans
            ? [.. sans.Select(s => (s, s.Match == SanMatchKind.RegularExpression
                ? new Regex(s.Value, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)) : null))]
            : [];
        if (ir.CrlPem is { } crl) _crls = RevocationList.ParsePem(crl).Lists;
        _crlOnlyLeaf = ir.CrlOnlyLeaf;
    }

    /// <summary>Whether a client that sends no certificate passes (Request and VerifyIfGiven).</summary>
    public bool AcceptsNoCertificate => Validate(null, null);

    /// <summary>The handshake's verdict as SslStream asks for it (a <see cref="RemoteCertificateValidationCallback"/>).</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors) =>
        Validate(certificate is null ? null : certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()),
            ChainValidator.Presented(presented));

    /// <summary>
    /// The verdict on a client's certificate (<paramref name="leaf"/>, null when it sent none) and what else it presented
    /// (<paramref name="presentedIntermediates"/>, which may hold the leaf too): the one implementation every handshake
    /// calls, SslStream's through the adapter above and the event loop's OpenSSL through its verify callback.
    /// </summary>
    public bool Validate(X509Certificate2? leaf, X509Certificate2Collection? presentedIntermediates)
    {
        if (leaf is null) return _mode is ClientValidationMode.AllowInsecureFallback or ClientValidationMode.VerifyIfGiven;
        if (_mode is ClientValidationMode.AllowInsecureFallback or ClientValidationMode.RequireAny) return true;
        return _chain.IsTrusted(leaf, presentedIntermediates, SslPolicyErrors.None, ChainValidator.ClientAuth, _allowExpired,
                _crls is null ? null : NotRevoked)
            && HashesMatch(leaf) && SansMatch(leaf);
    }

    private bool HashesMatch(X509Certificate2 cert)
    {
        if (_certificateHashes is null && _spkiHashes is null) return true;
        if (_certificateHashes is not null && _certificateHashes.Contains(Convert.ToHexStringLower(SHA256.HashData(cert.RawDataMemory.Span))))
            return true;
        return _spkiHashes is not null && _spkiHashes.Contains(Convert.ToBase64String(SHA256.HashData(cert.PublicKey.ExportSubjectPublicKeyInfo())));
    }

    private bool SansMatch(X509Certificate2 cert)
    {
        if (_sans.Length == 0) return true;
        var names = CertificateNames.Of(cert);
        foreach (var (m, regex) in _sans)
            foreach (var n in names.Of(m.Kind, m.Oid))
                if (m.Match switch
                {
                    SanMatchKind.Exact => string.Equals(n, m.Value, StringComparison.Ordinal),
                    SanMatchKind.Prefix => n.StartsWith(m.Value, StringComparison.Ordinal),
                    SanMatchKind.Suffix => n.EndsWith(m.Value, StringComparison.Ordinal),
                    _ => Matches(regex!, n),
                }) return true;
        return false;
    }

    private static bool Matches(Regex regex, string text)
    {
        try
        {
            var m = regex.Match(text);
            return m.Success && m.Index == 0 && m.Length == text.Length; // the whole name, as Envoy's safe_regex matches
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>Every certificate checked (the leaf, or all but the anchor) has a list from its issuer that does not revoke it.</summary>
    private bool NotRevoked(X509Chain chain)
    {
        var elements = chain.ChainElements;
        var last = _crlOnlyLeaf ? Math.Min(1, elements.Count - 1) : elements.Count - 1;
        for (var i = 0; i < last; i++)
        {
            var cert = elements[i].Certificate;
            var issuer = elements[i + 1].Certificate;
            var covered = false;
            foreach (var list in _crls!)
            {
                if (!list.VerifiedBy(issuer)) continue;
                if (list.Revokes(cert.SerialNumberBytes.Span)) return false;
                covered = true;
            }
            if (!covered) return false;
        }
        return true;
    }
}
