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
}
