using System.Text.RegularExpressions;
using Causeway.Model;
using Causeway.Model.Loading;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Snapshot;
using Causeway.Translation.Gateways;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Tls.ClientValidation;

/// <summary>
/// A ClientTrafficPolicy's <c>tls.clientValidation</c> as <see cref="ClientValidationIr"/>, the shape the Gateway's
/// frontend validation has too. Problems are errors naming the field; the caller keeps the listener closed then
/// (<see cref="RefuseAll"/>) rather than serving it without the validation the policy asked for.
/// </summary>
internal static class ClientValidationCompiler
{
    private const string Field = "spec.tls.clientValidation";

    /// <summary>A validation nothing passes: what a listener gets when its policy's clientValidation is invalid.</summary>
    public static readonly ClientValidationIr RefuseAll = new() { CaBundlePem = "", Mode = ClientValidationMode.AllowValidOnly };

    public static ClientValidationIr Compile(ClientValidationSpec spec, string policyNamespace, ResourceSnapshot s, List<string> errors, List<string> warnings)
    {
        foreach (var name in (spec.Unmodelled?.Keys ?? Enumerable.Empty<string>()).Order(StringComparer.Ordinal))
            warnings.Add($"{Field}.{name}: not supported by Causeway yet, ignored");
        var mode = spec.Mode switch
        {
            null => spec.Optional == true ? ClientValidationMode.VerifyIfGiven : ClientValidationMode.AllowValidOnly,
            "RequireAndVerify" => ClientValidationMode.AllowValidOnly,
            "VerifyIfGiven" => ClientValidationMode.VerifyIfGiven,
            "Request" => ClientValidationMode.AllowInsecureFallback,
            "RequireAny" => ClientValidationMode.RequireAny,
            var other => Error(errors, $"{Field}.mode: \"{other}\" is not one of Request, RequireAny, VerifyIfGiven, RequireAndVerify"),
        };
        if (spec.Mode is not null && spec.Optional is not null)
            warnings.Add($"{Field}.optional: deprecated and ignored when mode is set (mode {spec.Mode} applies)");
        var verifies = mode is ClientValidationMode.AllowValidOnly or ClientValidationMode.VerifyIfGiven;

        var pem = "";
        var refs = spec.CaCertificateRefs ?? [];
        if (refs.Count > 0)
        {
            var (bundle, problems) = CaReferences.Resolve(s, KindRegistry.EnvoyGroup, "ClientTrafficPolicy", policyNamespace, refs,
                "Secret", "ca.crt", "CA certificate", "certificate", Certificates.ValidCaBundle);
            foreach (var p in problems) errors.Add($"{Field}.caCertificateRefs[{p.Index}]: {p.Message}");
            pem = bundle;
        }
        else if (verifies)
            errors.Add($"{Field}.caCertificateRefs: required to verify client certificates (mode {spec.Mode ?? "RequireAndVerify"})");

        if (spec.AllowExpiredCertificate == true && !verifies)
            errors.Add($"{Field}.allowExpiredCertificate: only with mode VerifyIfGiven or RequireAndVerify");

        var spki = new List<string>();
        for (var i = 0; i < (spec.SpkiHashes?.Count ?? 0); i++)
        {
            var h = spec.SpkiHashes![i];
            if (Base64Sha256(h)) spki.Add(h);
            else errors.Add($"{Field}.spkiHashes[{i}]: \"{h}\" is not a base64 SHA-256 digest");
        }
        var hashes = new List<string>();
        for (var i = 0; i < (spec.CertificateHashes?.Count ?? 0); i++)
        {
            var h = spec.CertificateHashes![i];
            var hex = h.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();
            if (hex.Length == 64 && hex.All(Uri.IsHexDigit)) hashes.Add(hex);
            else errors.Add($"{Field}.certificateHashes[{i}]: \"{h}\" is not a hex SHA-256 digest");
        }

        var sans = new List<SanMatcherIr>();
        if (spec.SubjectAltNames is { } names)
        {
            foreach (var name in (names.Unmodelled?.Keys ?? Enumerable.Empty<string>()).Order(StringComparer.Ordinal))
                warnings.Add($"{Field}.subjectAltNames.{name}: not supported by Causeway yet, ignored");
            San(names.DnsNames, SanKind.Dns, "dnsNames", sans, errors);
            San(names.EmailAddresses, SanKind.Email, "emailAddresses", sans, errors);
            San(names.IpAddresses, SanKind.IpAddress, "ipAddresses", sans, errors);
            San(names.Uris, SanKind.Uri, "uris", sans, errors);
            San(names.OtherNames, SanKind.OtherName, "otherNames", sans, errors);
        }

        string? crl = null;
        var crlOnlyLeaf = false;
        if (spec.Crl is { } c)
        {
            var crlRefs = c.Refs ?? [];
            if (crlRefs.Count == 0) errors.Add($"{Field}.crl.refs: at least one reference is required");
            var (bundle, problems) = CaReferences.Resolve(s, KindRegistry.EnvoyGroup, "ClientTrafficPolicy", policyNamespace, crlRefs,
                "Secret", "ca.crl", "CRL", "certificate revocation list", text => RevocationList.ParsePem(text).Error is null ? text : null);
            foreach (var p in problems) errors.Add($"{Field}.crl.refs[{p.Index}]: {p.Message}");
            crl = crlRefs.Count > 0 ? bundle : null;
            crlOnlyLeaf = c.OnlyVerifyLeafCertificate ?? false;
            if (!verifies) warnings.Add($"{Field}.crl: has no effect with mode {spec.Mode} (certificates are not verified)");
        }

        return new ClientValidationIr
        {
            CaBundlePem = pem,
            Mode = mode,
            AllowExpired = spec.AllowExpiredCertificate ?? false,
            SpkiHashes = spki.Count > 0 ? new EquatableArray<string>(spki) : (EquatableArray<string>?)null,
            CertificateHashes = hashes.Count > 0 ? new EquatableArray<string>(hashes) : (EquatableArray<string>?)null,
            SubjectAltNames = sans.Count > 0 ? new EquatableArray<SanMatcherIr>(sans) : (EquatableArray<SanMatcherIr>?)null,
            CrlPem = crl,
            CrlOnlyLeaf = crlOnlyLeaf,
        };
    }

    private static void San(IReadOnlyList<SanMatchSpec>? list, SanKind kind, string field, List<SanMatcherIr> into, List<string> errors)
    {
        for (var i = 0; i < (list?.Count ?? 0); i++)
        {
            var m = list![i];
            var at = $"{Field}.subjectAltNames.{field}[{i}]";
            var match = m.Type switch
            {
                null or "Exact" => SanMatchKind.Exact,
                "Prefix" => SanMatchKind.Prefix,
                "Suffix" => SanMatchKind.Suffix,
                "RegularExpression" => SanMatchKind.RegularExpression,
                _ => (SanMatchKind?)null,
            };
            if (match is null) { errors.Add($"{at}.type: \"{m.Type}\" is not one of Exact, Prefix, Suffix, RegularExpression"); continue; }
            if (string.IsNullOrEmpty(m.Value)) { errors.Add($"{at}.value: required"); continue; }
            if (match == SanMatchKind.RegularExpression && !ValidRegex(m.Value)) { errors.Add($"{at}.value: \"{m.Value}\" is not a valid regular expression"); continue; }
            if (kind == SanKind.OtherName && !ValidOid(m.Oid)) { errors.Add($"{at}.oid: \"{m.Oid}\" is not an OID"); continue; }
            into.Add(new SanMatcherIr(kind, match.Value, m.Value, kind == SanKind.OtherName ? m.Oid : null));
        }
    }

    private static bool ValidRegex(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static bool ValidOid(string? oid) =>
        !string.IsNullOrEmpty(oid) && oid.Split('.') is { Length: >= 2 } parts && parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit));

    private static bool Base64Sha256(string text)
    {
        Span<byte> buffer = stackalloc byte[48];
        return Convert.TryFromBase64String(text, buffer, out var n) && n == 32;
    }

    private static ClientValidationMode Error(List<string> errors, string message)
    {
        errors.Add(message);
        return ClientValidationMode.AllowValidOnly;
    }
}
