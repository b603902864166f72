using System.Net.Security;
using System.Security.Authentication;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.ClientTraffic;

/// <summary>
/// A listener's ClientTrafficPolicy <c>tls</c> as <see cref="SslServerAuthenticationOptions"/> take it: the versions
/// offered and ALPN. Without a policy: TLS 1.2 and 1.3, h2 then http/1.1.
/// </summary>
internal static class ClientTlsSettings
{
    public static SslProtocols Protocols(ClientTlsIr? tls) => tls is null ? SslProtocols.Tls12 | SslProtocols.Tls13 : Protocols(tls.MinVersion, tls.MaxVersion);

    /// <summary>The versions from <paramref name="min"/> to <paramref name="max"/> ("1.2" or "1.3"), as listeners and backend TLS take them.</summary>
    public static SslProtocols Protocols(string min, string max)
    {
        var result = SslProtocols.None;
        if (string.CompareOrdinal(min, "1.2") <= 0 && string.CompareOrdinal(max, "1.2") >= 0) result |= SslProtocols.Tls12;
        if (string.CompareOrdinal(max, "1.3") >= 0) result |= SslProtocols.Tls13;
        return result;
    }

    /// <summary>TLS 1.3 suites OpenSSL offers by default: a policy's ciphers restrict TLS 1.2 only, as Envoy's do.</summary>
    private static readonly TlsCipherSuite[] Tls13Suites =
        [TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_AES_128_GCM_SHA256];

    /// <summary>
    /// The cipher suite policy of a listener whose ClientTrafficPolicy lists ciphers (null: the platform's): the listed
    /// TLS 1.2 suites plus the TLS 1.3 defaults. A handshake with a policy gets its own OpenSSL context (.NET caches
    /// contexts only for handshakes without one), so listeners with different lists never share one.
    /// </summary>
    public static CipherSuitesPolicy? Ciphers(ClientTlsIr? tls) => Ciphers(tls?.Ciphers);

    /// <summary>The listed TLS 1.2 suites (IANA names) plus the TLS 1.3 defaults; null without a list (the platform's).</summary>
    public static CipherSuitesPolicy? Ciphers(Causeway.Model.EquatableArray<string>? list)
    {
        if (list is not { Count: > 0 } names || OperatingSystem.IsWindows()) return null; // Windows: no per-stream policy
        var suites = new List<TlsCipherSuite>(names.Count + Tls13Suites.Length);
        foreach (var n in names)
            if (Enum.TryParse<TlsCipherSuite>(n, out var suite)) suites.Add(suite);
        suites.AddRange(Tls13Suites);
        return new CipherSuitesPolicy(suites);
    }

    public static List<SslApplicationProtocol>? Alpn(ClientTlsIr? tls)
    {
        if (tls?.AlpnProtocols is not { } list) return [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];
        if (list.Count == 0) return null; // ALPN off
        return [.. list.AsImmutableArray().Select(Protocol)];
    }

    public static SslApplicationProtocol Protocol(string name) => name switch
    {
        "h2" => SslApplicationProtocol.Http2,
        "http/1.1" => SslApplicationProtocol.Http11,
        _ => new SslApplicationProtocol(name),
    };
}
