using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Causeway.DataPlane.Policies.ClientTraffic.ForwardedClientCert;

/// <summary>
/// A distinguished name in RFC 2253 form, as OpenSSL prints it for Envoy's Subject field: the last RDN first, RDNs
/// joined by ',' without spaces, the short names OpenSSL uses (CN, O, OU, C, ST, L, DC, UID, emailAddress...), values
/// with , + " \ &lt; &gt; ; escaped; an unknown attribute as its OID and the value's DER in hex after '#'.
/// </summary>
internal static class SubjectText
{
    private static readonly Dictionary<string, string> ShortNames = new(StringComparer.Ordinal)
    {
        ["2.5.4.3"] = "CN", ["2.5.4.6"] = "C", ["2.5.4.7"] = "L", ["2.5.4.8"] = "ST", ["2.5.4.9"] = "street",
        ["2.5.4.10"] = "O", ["2.5.4.11"] = "OU", ["2.5.4.4"] = "SN", ["2.5.4.5"] = "serialNumber", ["2.5.4.12"] = "title",
        ["2.5.4.42"] = "GN", ["2.5.4.43"] = "initials", ["2.5.4.46"] = "dnQualifier", ["2.5.4.65"] = "pseudonym",
        ["0.9.2342.19200300.100.1.25"] = "DC", ["0.9.2342.19200300.100.1.1"] = "UID", ["1.2.840.113549.1.9.1"] = "emailAddress",
    };

    public static string Format(X500DistinguishedName name)
    {
        var text = new StringBuilder();
        try
        {
            var rdns = new List<byte[]>();
            var seq = new AsnReader(name.RawData, AsnEncodingRules.DER).ReadSequence();
            while (seq.HasData) rdns.Add(seq.ReadEncodedValue().ToArray());
            for (var i = rdns.Count - 1; i >= 0; i--)
            {
                if (i != rdns.Count - 1) text.Append(',');
                var set = new AsnReader(rdns[i], AsnEncodingRules.DER).ReadSetOf();
                var first = true;
                while (set.HasData)
                {
                    if (!first) text.Append('+');
                    first = false;
                    var atv = set.ReadSequence();
                    var oid = atv.ReadObjectIdentifier();
                    var tag = atv.PeekTag();
                    if (ShortNames.TryGetValue(oid, out var shortName) && tag.TagClass == TagClass.Universal && IsString((UniversalTagNumber)tag.TagValue))
                        Escape(text.Append(shortName).Append('='), atv.ReadCharacterString((UniversalTagNumber)tag.TagValue));
                    else
                        text.Append(oid).Append("=#").Append(Convert.ToHexString(atv.ReadEncodedValue().Span));
                }
            }
        }
        catch (Exception e) when (e is AsnContentException or ArgumentException)
        {
            return name.Name; // not DER we can walk: the platform's rendering
        }
        return text.ToString();
    }

    private static bool IsString(UniversalTagNumber t) => t is UniversalTagNumber.UTF8String or UniversalTagNumber.PrintableString
        or UniversalTagNumber.IA5String or UniversalTagNumber.T61String or UniversalTagNumber.BMPString or UniversalTagNumber.VisibleString;

    private static void Escape(StringBuilder into, string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is ',' or '+' or '"' or '\\' or '<' or '>' or ';' || (i == 0 && c is '#' or ' ') || (i == value.Length - 1 && c == ' '))
                into.Append('\\');
            into.Append(c);
        }
    }
}
