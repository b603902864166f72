namespace Causeway.Translation.Policies;

/// <summary>
/// The TLS 1.2 cipher suites a ClientTrafficPolicy may name (its CRD's list), by their OpenSSL names and IANA aliases,
/// each mapped to its IANA name (what the data plane hands the TLS library).
/// </summary>
internal static class TlsCipherNames
{
    private static readonly (string OpenSsl, string Iana)[] Suites =
    [
        ("ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
        ("ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        ("ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
        ("ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
        ("ECDHE-ECDSA-CHACHA20-POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
        ("ECDHE-RSA-CHACHA20-POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
        ("ECDHE-ECDSA-AES128-SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
        ("ECDHE-RSA-AES128-SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
        ("AES128-GCM-SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"),
        ("AES128-SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"),
        ("ECDHE-ECDSA-AES256-SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"),
        ("ECDHE-RSA-AES256-SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"),
        ("AES256-GCM-SHA384", "TLS_RSA_WITH_AES_256_GCM_SHA384"),
        ("AES256-SHA", "TLS_RSA_WITH_AES_256_CBC_SHA"),
    ];

    /// <summary>The IANA name of a suite given by either name; null when it is not one of the supported suites.</summary>
    public static string? ToIana(string name)
    {
        foreach (var (openSsl, iana) in Suites)
            if (string.Equals(name, openSsl, StringComparison.Ordinal) || string.Equals(name, iana, StringComparison.Ordinal)) return iana;
        return null;
    }

    /// <summary>
    /// A <c>minVersion</c>/<c>maxVersion</c> of Envoy Gateway's TLS settings (a ClientTrafficPolicy's or a Backend's) as a
    /// version Causeway offers, "1.2" or "1.3": <paramref name="auto"/> for none or Auto; 1.0 and 1.1 as the minimum are
    /// raised to 1.2 with a warning; anything else is an error naming <paramref name="field"/>.
    /// </summary>
    public static string Version(string? value, string auto, string field, List<string> errors, List<string> warnings)
    {
        switch (value)
        {
            case null or "Auto": return auto;
            case "1.2" or "1.3": return value;
            case "1.0" or "1.1" when auto == "1.2":
                warnings.Add($"{field}: TLS {value} is not offered by Causeway, 1.2 is the lowest version served");
                return "1.2";
            default:
                errors.Add($"{field}: TLS {value} is not offered by Causeway (1.2 and 1.3 are)");
                return auto;
        }
    }

    /// <summary>The IANA names of <paramref name="names"/> (TLS 1.2 suites); each unknown one, or any with minimum TLS 1.3, is an error.</summary>
    public static List<string> Ciphers(IReadOnlyList<string>? names, string min, string field, List<string> errors)
    {
        var ciphers = new List<string>();
        for (var i = 0; i < (names?.Count ?? 0); i++)
        {
            if (ToIana(names![i]) is { } iana) ciphers.Add(iana);
            else errors.Add($"{field}[{i}]: \"{names[i]}\" is not a supported cipher suite");
        }
        if (ciphers.Count > 0 && min == "1.3") errors.Add($"{field}: setting ciphers has no effect if the minimum TLS version is 1.3");
        return ciphers;
    }

    /// <summary>ECDH groups (ClientTrafficPolicy <c>tls.ecdhCurves</c>) by the names Envoy and OpenSSL use, to OpenSSL's name.</summary>
    public static readonly IReadOnlyDictionary<string, string> Groups = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["X25519"] = "X25519",
        ["X448"] = "X448",
        ["P-256"] = "P-256",
        ["prime256v1"] = "P-256",
        ["secp256r1"] = "P-256",
        ["P-384"] = "P-384",
        ["secp384r1"] = "P-384",
        ["P-521"] = "P-521",
        ["secp521r1"] = "P-521",
    };

    /// <summary>ClientTrafficPolicy <c>tls.fingerprints</c> types.</summary>
    public static readonly IReadOnlyDictionary<string, string> Fingerprints = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["JA3"] = "JA3",
        ["JA4"] = "JA4",
    };

    /// <summary>
    /// Signature algorithms (ClientTrafficPolicy <c>tls.signatureAlgorithms</c>) by their TLS 1.3 names (and OpenSSL's
    /// <c>KEY+HASH</c> form), to the TLS 1.3 name.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> SignatureAlgorithms = BuildSignatureAlgorithms();

    private static Dictionary<string, string> BuildSignatureAlgorithms()
    {
        var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in (string[])["ecdsa_secp256r1_sha256", "ecdsa_secp384r1_sha384", "ecdsa_secp521r1_sha512", "ed25519", "ed448",
                     "rsa_pss_rsae_sha256", "rsa_pss_rsae_sha384", "rsa_pss_rsae_sha512", "rsa_pss_pss_sha256", "rsa_pss_pss_sha384",
                     "rsa_pss_pss_sha512", "rsa_pkcs1_sha256", "rsa_pkcs1_sha384", "rsa_pkcs1_sha512", "ecdsa_sha1", "rsa_pkcs1_sha1"])
            d[name] = name;
        foreach (var bits in (string[])["256", "384", "512"])
        {
            d[$"RSA+SHA{bits}"] = $"rsa_pkcs1_sha{bits}";
            d[$"RSA-PSS+SHA{bits}"] = $"rsa_pss_rsae_sha{bits}";
        }
        d["ECDSA+SHA256"] = "ecdsa_secp256r1_sha256";
        d["ECDSA+SHA384"] = "ecdsa_secp384r1_sha384";
        d["ECDSA+SHA512"] = "ecdsa_secp521r1_sha512";
        return d;
    }
}
