using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Tls.ClientValidation;

/// <summary>
/// The subject alternative names of a certificate by kind, read once from its SAN extension: what client validation
/// matches and what the x-forwarded-client-cert header reports (DNS, URI).
/// </summary>
internal sealed class CertificateNames
{
    private static readonly Asn1Tag OtherNameTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag EmailTag = new(TagClass.ContextSpecific, 1);
    private static readonly Asn1Tag DnsTag = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);
    private static readonly Asn1Tag IpTag = new(TagClass.ContextSpecific, 7);
    private static readonly Asn1Tag Explicit0 = new(TagClass.ContextSpecific, 0, isConstructed: true);

    public List<string> Dns { get; } = [];
    public List<string> Email { get; } = [];
    public List<string> Uri { get; } = [];
    public List<string> Ip { get; } = [];

    /// <summary>otherName entries: (type OID, value as text when it is a string type).</summary>
    public List<(string Oid, string Value)> Other { get; } = [];

    public static CertificateNames Of(X509Certificate2 certificate)
    {
        var names = new CertificateNames();
        foreach (var ext in certificate.Extensions)
        {
            if (ext.Oid?.Value != "2.5.29.17") continue;
            try
            {
                var seq = new AsnReader(ext.RawData, AsnEncodingRules.DER).ReadSequence();
                while (seq.HasData)
                {
                    var tag = seq.PeekTag();
                    if (tag == DnsTag) names.Dns.Add(seq.ReadCharacterString(UniversalTagNumber.IA5String, DnsTag));
                    else if (tag == UriTag) names.Uri.Add(seq.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
                    else if (tag == EmailTag) names.Email.Add(seq.ReadCharacterString(UniversalTagNumber.IA5String, EmailTag));
                    else if (tag == IpTag) names.Ip.Add(new IPAddress(seq.ReadOctetString(IpTag)).ToString());
                    else if (tag == OtherNameTag)
                    {
                        var other = seq.ReadSequence(OtherNameTag);
                        var oid = other.ReadObjectIdentifier();
                        var value = other.ReadSequence(Explicit0);
                        names.Other.Add((oid, Text(value)));
                    }
                    else seq.ReadEncodedValue();
                }
            }
            catch (Exception e) when (e is AsnContentException or ArgumentException)
            {
                // A malformed SAN extension: the names read so far are all it has.
            }
        }
        return names;
    }

    /// <summary>The names of one kind (otherNames of type <paramref name="oid"/>).</summary>
    public IEnumerable<string> Of(SanKind kind, string? oid) => kind switch
    {
        SanKind.Dns => Dns,
        SanKind.Email => Email,
        SanKind.IpAddress => Ip,
        SanKind.Uri => Uri,
        _ => Other.Where(o => o.Oid == oid).Select(o => o.Value),
    };

    private static string Text(AsnReader value)
    {
        if (!value.HasData) return "";
        var tag = value.PeekTag();
        if (tag.TagClass != TagClass.Universal) return Convert.ToHexString(value.ReadEncodedValue().Span);
        return (UniversalTagNumber)tag.TagValue switch
        {
            UniversalTagNumber.UTF8String or UniversalTagNumber.PrintableString or UniversalTagNumber.IA5String
                or UniversalTagNumber.VisibleString or UniversalTagNumber.BMPString or UniversalTagNumber.T61String
                => value.ReadCharacterString((UniversalTagNumber)tag.TagValue),
            _ => Encoding.ASCII.GetString(value.ReadEncodedValue().Span),
        };
    }
}
