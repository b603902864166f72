using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Causeway.Distribution.Security;

/// <summary>
/// The identity a proxy client certificate carries: the Gateway it serves, as the URI SAN
/// <c>spiffe://causeway/gateway/&lt;namespace&gt;/&lt;name&gt;</c>. The Gateway key is <c>namespace/name</c>, as in
/// <see cref="Causeway.Translation.Ir.GatewayIr.Name"/>.
/// </summary>
public sealed record ProxyIdentity(string GatewayNamespace, string GatewayName)
{
    public const string UriPrefix = "spiffe://causeway/gateway/";

    public string GatewayKey => GatewayNamespace + "/" + GatewayName;

    public Uri Uri => new(UriPrefix + GatewayNamespace + "/" + GatewayName);

    public static ProxyIdentity ForGateway(string gatewayNamespace, string gatewayName)
    {
        if (!IsDnsLabelish(gatewayNamespace)) throw new ArgumentException($"invalid namespace '{gatewayNamespace}'", nameof(gatewayNamespace));
        if (!IsDnsLabelish(gatewayName)) throw new ArgumentException($"invalid Gateway name '{gatewayName}'", nameof(gatewayName));
        return new ProxyIdentity(gatewayNamespace, gatewayName);
    }

    /// <summary>Parses <c>namespace/name</c>.</summary>
    public static ProxyIdentity FromGatewayKey(string gatewayKey)
    {
        var slash = gatewayKey.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == gatewayKey.Length - 1) throw new ArgumentException($"invalid Gateway key '{gatewayKey}' (expected namespace/name)", nameof(gatewayKey));
        return ForGateway(gatewayKey[..slash], gatewayKey[(slash + 1)..]);
    }

    /// <summary>The identity in a certificate's URI SANs, or null when it has none (or more than one).</summary>
    public static ProxyIdentity? FromCertificate(X509Certificate2 certificate)
    {
        ProxyIdentity? found = null;
        foreach (var uri in UriSans(certificate))
        {
            if (!uri.StartsWith(UriPrefix, StringComparison.Ordinal)) continue;
            var parts = uri[UriPrefix.Length..].Split('/');
            if (parts.Length != 2 || !IsDnsLabelish(parts[0]) || !IsDnsLabelish(parts[1])) return null;
            if (found is not null) return null;
            found = new ProxyIdentity(parts[0], parts[1]);
        }

        return found;
    }

    private static IEnumerable<string> UriSans(X509Certificate2 certificate)
    {
        var ext = certificate.Extensions["2.5.29.17"];
        if (ext is null) return [];
        var result = new List<string>();
        var reader = new AsnReader(ext.RawData, AsnEncodingRules.DER).ReadSequence();
        var uriTag = new Asn1Tag(TagClass.ContextSpecific, 6);
        while (reader.HasData)
        {
            var tag = reader.PeekTag();
            if (tag == uriTag) result.Add(reader.ReadCharacterString(UniversalTagNumber.IA5String, uriTag));
            else reader.ReadEncodedValue();
        }

        return result;
    }

    private static bool IsDnsLabelish(string s) =>
        s.Length is > 0 and <= 253 && s.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.')
        && s[0] != '-' && s[0] != '.';
}
