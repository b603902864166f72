using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Causeway.DataPlane.Tls;

/// <summary>
/// Matches a BackendTLSPolicy subjectAltName against a peer certificate: a URI (anything with a scheme, e.g.
/// <c>spiffe://...</c>) must equal a URI SAN exactly; anything else is a DNS name (wildcards allowed, no CN fallback).
/// </summary>
internal static class SubjectAltNameMatcher
{
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);

    public static bool IsUri(string name) => name.Contains("://", StringComparison.Ordinal);

    public static bool Matches(X509Certificate2 certificate, string name)
    {
        if (IsUri(name)) return UriSans(certificate).Any(u => string.Equals(u, name, StringComparison.Ordinal));
        try
        {
            return certificate.MatchesHostname(name, allowWildcards: true, allowCommonName: false);
        }
        catch (ArgumentException)
        {
            return false; // not a valid DNS name: nothing can match it
        }
    }

    public static IEnumerable<string> UriSans(X509Certificate2 certificate)
    {
        var found = new List<string>();
        foreach (var ext in certificate.Extensions)
        {
            if (ext is not X509SubjectAlternativeNameExtension san) continue;
            try
            {
                var seq = new AsnReader(san.RawData, AsnEncodingRules.DER).ReadSequence();
                while (seq.HasData)
                {
                    if (seq.PeekTag() == UriTag) found.Add(seq.ReadCharacterString(UniversalTagNumber.IA5String, UriTag));
                    else seq.ReadEncodedValue();
                }
            }
            catch (AsnContentException)
            {
                // A malformed SAN extension carries no usable URI.
            }
        }
        return found;
    }
}
