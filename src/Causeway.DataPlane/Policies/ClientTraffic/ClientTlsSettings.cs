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
    public static SslProtocols Protocols(ClientTlsIr? tls)
    {
        if (tls is null) return SslProtocols.Tls12 | SslProtocols.Tls13;
        var result = SslProtocols.None;
        if (string.CompareOrdinal(tls.MinVersion, "1.2") <= 0 && string.CompareOrdinal(tls.MaxVersion, "1.2") >= 0) result |= SslProtocols.Tls12;
        if (string.CompareOrdinal(tls.MaxVersion, "1.3") >= 0) result |= SslProtocols.Tls13;
        return result;
    }

    public static List<SslApplicationProtocol>? Alpn(ClientTlsIr? tls)
    {
        if (tls?.AlpnProtocols is not { } list) return [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];
        if (list.Count == 0) return null; // ALPN off
        return [.. list.AsImmutableArray().Select(p => p switch
        {
            "h2" => SslApplicationProtocol.Http2,
            "http/1.1" => SslApplicationProtocol.Http11,
            _ => new SslApplicationProtocol(p),
        })];
    }
}
