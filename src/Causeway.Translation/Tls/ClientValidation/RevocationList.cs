using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Causeway.Translation.Tls.ClientValidation;

/// <summary>
/// An X.509 certificate revocation list (RFC 5280 section 5) as far as client validation needs it: its issuer, the
/// serial numbers it revokes and what its signature covers. Parsing is pure; the data plane verifies the signature with
/// the issuer's key (<see cref="VerifiedBy"/>) before trusting the list.
/// </summary>
public sealed class RevocationList
{
    private readonly HashSet<string> _revoked;
    private readonly byte[] _signed;
    private readonly byte[] _signature;
    private readonly string _algorithm;

    private RevocationList(byte[] issuer, HashSet<string> revoked, byte[] signed, string algorithm, byte[] signature)
    {
        Issuer = issuer;
        _revoked = revoked;
        _signed = signed;
        _algorithm = algorithm;
        _signature = signature;
    }

    /// <summary>The DER encoding of the issuer's distinguished name.</summary>
    public byte[] Issuer { get; }

    /// <summary>Whether the serial number (big-endian, as <c>X509Certificate2.SerialNumberBytes</c>) is revoked.</summary>
    public bool Revokes(ReadOnlySpan<byte> serial) => _revoked.Contains(Convert.ToHexString(Trim(serial)));

    /// <summary>Every list in a PEM text (<c>X509 CRL</c> blocks), or the reason one does not parse.</summary>
    public static (List<RevocationList> Lists, string? Error) ParsePem(string? pem)
    {
        var lists = new List<RevocationList>();
        if (string.IsNullOrWhiteSpace(pem)) return (lists, "no X509 CRL block");
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label];
            if (label.SequenceEqual("X509 CRL"))
            {
                var der = Convert.FromBase64String(rest[fields.Base64Data].ToString());
                var (list, error) = ParseDer(der);
                if (list is null) return (lists, error);
                lists.Add(list);
            }
            rest = rest[fields.Location.End.Value..];
        }
        return lists.Count == 0 ? (lists, "no X509 CRL block") : (lists, null);
    }

    public static (RevocationList? List, string? Error) ParseDer(byte[] der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            var signed = outer.ReadEncodedValue().ToArray();
            var algorithm = outer.ReadSequence().ReadObjectIdentifier();
            var signature = outer.ReadBitString(out _);
            var tbs = new AsnReader(signed, AsnEncodingRules.DER).ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer)) tbs.ReadInteger(); // version
            tbs.ReadSequence(); // signature algorithm (repeated)
            var issuer = tbs.ReadEncodedValue().ToArray();
            ReadTime(tbs); // thisUpdate
            if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
                ReadTime(tbs); // nextUpdate
            var revoked = new HashSet<string>(StringComparer.Ordinal);
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var entries = tbs.ReadSequence();
                while (entries.HasData)
                {
                    var entry = entries.ReadSequence();
                    revoked.Add(Convert.ToHexString(Trim(entry.ReadIntegerBytes().Span)));
                }
            }
            return (new RevocationList(issuer, revoked, signed, algorithm, signature), null);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or FormatException)
        {
            return (null, "not a DER certificate revocation list: " + e.Message);
        }
    }

    /// <summary>Whether the list's signature verifies with the issuer's public key (RSA PKCS#1 or ECDSA, SHA-2).</summary>
    public bool VerifiedBy(X509Certificate2 issuer)
    {
        if (!issuer.SubjectName.RawData.AsSpan().SequenceEqual(Issuer)) return false;
        HashAlgorithmName? hash = _algorithm switch
        {
            "1.2.840.113549.1.1.11" or "1.2.840.10045.4.3.2" => HashAlgorithmName.SHA256,
            "1.2.840.113549.1.1.12" or "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
            "1.2.840.113549.1.1.13" or "1.2.840.10045.4.3.4" => HashAlgorithmName.SHA512,
            _ => null,
        };
        if (hash is not { } h) return false;
        try
        {
            using var rsa = issuer.GetRSAPublicKey();
            if (rsa is not null) return rsa.VerifyData(_signed, _signature, h, RSASignaturePadding.Pkcs1);
            using var ec = issuer.GetECDsaPublicKey();
            return ec is not null && ec.VerifyData(_signed, _signature, h, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static void ReadTime(AsnReader r)
    {
        if (r.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime)) r.ReadUtcTime();
        else r.ReadGeneralizedTime();
    }

    /// <summary>Leading zero bytes dropped, so that 00 81 and 81 name the same serial.</summary>
    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> serial)
    {
        var i = 0;
        while (i < serial.Length - 1 && serial[i] == 0) i++;
        return serial[i..];
    }
}
