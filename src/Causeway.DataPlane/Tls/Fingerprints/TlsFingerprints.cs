using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Causeway.DataPlane.L4.Tls;

namespace Causeway.DataPlane.Tls.Fingerprints;

/// <summary>
/// JA3 and JA4 fingerprints of a TLS ClientHello (ClientTrafficPolicy <c>tls.fingerprints</c>), computed from the
/// handshake message the event loop reads before anything terminates TLS. GREASE values (RFC 8701) are ignored
/// everywhere, as both definitions ask. JA3: MD5 of <c>version,ciphers,extensions,groups,point formats</c> (decimal,
/// <c>-</c>-joined, in the client's order). JA4 (TCP): <c>t</c>, the highest supported version, <c>d</c>/<c>i</c> for
/// SNI present or not, cipher and extension counts, the first ALPN value's first and last characters; then the first 12
/// hex digits of SHA-256 over the sorted ciphers, and over the sorted extensions (without SNI and ALPN) joined by
/// <c>_</c> with the signature algorithms in the client's order.
/// </summary>
internal static class TlsFingerprints
{
    private const ushort ServerName = 0x0000, SupportedGroups = 0x000a, PointFormats = 0x000b, SignatureAlgorithms = 0x000d,
        Alpn = 0x0010, SupportedVersions = 0x002b;

    /// <summary>Both fingerprints of a ClientHello body (after the 4-byte handshake header); nulls when it is malformed.</summary>
    public static (string? Ja3, string? Ja4) Compute(ReadOnlySpan<byte> body, bool ja3, bool ja4)
    {
        if (!ja3 && !ja4) return (null, null);
        var r = new TlsWireReader(body);
        if (!r.ReadUInt16(out var legacyVersion) || !r.Skip(32) || !r.ReadVector8(out _) || !r.ReadVector16(out var suites) || !r.ReadVector8(out _))
            return (null, null);
        var ciphers = new List<ushort>();
        var s = new TlsWireReader(suites);
        while (s.ReadUInt16(out var c))
            if (!IsGrease(c)) ciphers.Add(c);
        var extensions = new List<ushort>();
        var groups = new List<ushort>();
        var pointFormats = new List<byte>();
        var sigalgs = new List<ushort>();
        ushort highest = 0;
        var hasSni = false;
        ReadOnlySpan<byte> firstAlpn = default;
        if (r.Remaining > 0)
        {
            if (!r.ReadVector16(out var all)) return (null, null);
            var e = new TlsWireReader(all);
            while (e.Remaining > 0)
            {
                if (!e.ReadUInt16(out var type) || !e.ReadVector16(out var data)) return (null, null);
                if (IsGrease(type)) continue;
                extensions.Add(type);
                var d = new TlsWireReader(data);
                switch (type)
                {
                    case ServerName:
                        hasSni = true;
                        break;
                    case SupportedGroups when d.ReadVector16(out var list):
                        for (var g = new TlsWireReader(list); g.ReadUInt16(out var v);)
                            if (!IsGrease(v)) groups.Add(v);
                        break;
                    case PointFormats when d.ReadVector8(out var list):
                        pointFormats.AddRange(list);
                        break;
                    case SignatureAlgorithms when d.ReadVector16(out var list):
                        for (var a = new TlsWireReader(list); a.ReadUInt16(out var v);)
                            if (!IsGrease(v)) sigalgs.Add(v);
                        break;
                    case SupportedVersions when d.ReadVector8(out var list):
                        for (var v = new TlsWireReader(list); v.ReadUInt16(out var version);)
                            if (!IsGrease(version) && version > highest) highest = version;
                        break;
                    case Alpn when d.ReadVector16(out var list):
                        var p = new TlsWireReader(list);
                        if (p.ReadVector8(out var first)) firstAlpn = first;
                        break;
                }
            }
        }
        string? ja3Text = null, ja4Text = null;
        if (ja3)
        {
            var text = $"{legacyVersion},{string.Join('-', ciphers)},{string.Join('-', extensions)},{string.Join('-', groups)},{string.Join('-', pointFormats)}";
            ja3Text = Convert.ToHexStringLower(MD5.HashData(Encoding.ASCII.GetBytes(text)));
        }
        if (ja4)
        {
            var a = new StringBuilder("t");
            a.Append(VersionLabel(highest != 0 ? highest : legacyVersion));
            a.Append(hasSni ? 'd' : 'i');
            a.Append(Math.Min(ciphers.Count, 99).ToString("00", System.Globalization.CultureInfo.InvariantCulture));
            a.Append(Math.Min(extensions.Count, 99).ToString("00", System.Globalization.CultureInfo.InvariantCulture));
            a.Append(AlpnLabel(firstAlpn));
            var sortedCiphers = string.Join(',', ciphers.Order().Select(Hex));
            var sortedExtensions = string.Join(',', extensions.Where(t => t is not (ServerName or Alpn)).Order().Select(Hex));
            var c = sigalgs.Count == 0 ? sortedExtensions : sortedExtensions + "_" + string.Join(',', sigalgs.Select(Hex));
            ja4Text = $"{a}_{Truncated(ciphers.Count == 0 ? null : sortedCiphers)}_{Truncated(extensions.Count == 0 ? null : c)}";
        }
        return (ja3Text, ja4Text);
    }

    /// <summary>GREASE values: 0x?a?a with both bytes equal.</summary>
    private static bool IsGrease(ushort v) => (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);

    private static string Hex(ushort v) => v.ToString("x4", System.Globalization.CultureInfo.InvariantCulture);

    private static string Truncated(string? text) =>
        text is null ? "000000000000" : Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(text)))[..12];

    private static string VersionLabel(ushort version) => version switch
    {
        0x0304 => "13",
        0x0303 => "12",
        0x0302 => "11",
        0x0301 => "10",
        0x0300 => "s3",
        0x0002 => "s2",
        0xfeff => "d1",
        0xfefd => "d2",
        0xfefc => "d3",
        _ => "00",
    };

    /// <summary>The first and last characters of the first ALPN value, or of their bytes' hex when not alphanumeric; "00" without ALPN.</summary>
    private static string AlpnLabel(ReadOnlySpan<byte> alpn)
    {
        if (alpn.IsEmpty) return "00";
        byte first = alpn[0], last = alpn[^1];
        if (char.IsAsciiLetterOrDigit((char)first) && char.IsAsciiLetterOrDigit((char)last)) return $"{(char)first}{(char)last}";
        return $"{first:x2}"[0].ToString() + $"{last:x2}"[1];
    }
}
