using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace Causeway.DataPlane.Transports.ProxyProtocol;

/// <summary>
/// The one PROXY protocol header parser (haproxy's proxy-protocol.txt, v1 text and v2 binary), used by the event loop
/// and by the Kestrel connection middleware alike. Strict: anything that starts like a header but is not exactly one is
/// <see cref="ProxyHeaderStatus.Invalid"/>, so no byte of a malformed header is ever read as the request.
/// </summary>
internal static class ProxyHeaderParser
{
    /// <summary>v1 lines are at most 107 bytes, CRLF included.</summary>
    public const int MaxV1Length = 107;

    /// <summary>A v2 header: 16 fixed bytes and at most 65535 of addresses and TLVs.</summary>
    public const int MaxV2Length = 16 + ushort.MaxValue;

    private static ReadOnlySpan<byte> V2Signature => "\r\n\r\n\0\r\nQUIT\n"u8;
    private static ReadOnlySpan<byte> V1Signature => "PROXY "u8;

    /// <summary>
    /// Parses the header at the start of <paramref name="data"/>. On <see cref="ProxyHeaderStatus.Complete"/>,
    /// <paramref name="consumed"/> is the header's length and <paramref name="source"/> the client it names (null for
    /// LOCAL, UNKNOWN and address families other than TCP/UDP over IPv4/IPv6: the peer stays the client).
    /// </summary>
    public static ProxyHeaderStatus Parse(ReadOnlySpan<byte> data, out int consumed, out IPEndPoint? source) =>
        Parse(data, out consumed, out source, out _);

    /// <summary>As <see cref="Parse(ReadOnlySpan{byte}, out int, out IPEndPoint?)"/>, with the destination the header names (null when it names no source).</summary>
    public static ProxyHeaderStatus Parse(ReadOnlySpan<byte> data, out int consumed, out IPEndPoint? source, out IPEndPoint? destination)
    {
        consumed = 0;
        source = null;
        destination = null;
        if (data.IsEmpty) return ProxyHeaderStatus.Incomplete;
        if (data[0] == V2Signature[0]) return ParseV2(data, out consumed, out source, out destination);
        if (data[0] == V1Signature[0]) return ParseV1(data, out consumed, out source, out destination);
        return ProxyHeaderStatus.Absent;
    }

    private static ProxyHeaderStatus Prefix(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        var n = Math.Min(data.Length, signature.Length);
        if (!data[..n].SequenceEqual(signature[..n])) return ProxyHeaderStatus.Absent;
        return n < signature.Length ? ProxyHeaderStatus.Incomplete : ProxyHeaderStatus.Complete;
    }

    private static ProxyHeaderStatus ParseV2(ReadOnlySpan<byte> data, out int consumed, out IPEndPoint? source, out IPEndPoint? destination)
    {
        consumed = 0;
        source = null;
        destination = null;
        var prefix = Prefix(data, V2Signature);
        if (prefix != ProxyHeaderStatus.Complete) return prefix;
        if (data.Length < 16) return ProxyHeaderStatus.Incomplete;
        var versionCommand = data[12];
        if (versionCommand >> 4 != 2) return ProxyHeaderStatus.Invalid;
        var command = versionCommand & 0xF;
        if (command > 1) return ProxyHeaderStatus.Invalid;
        var family = data[13] >> 4;
        var protocol = data[13] & 0xF;
        if (family > 3 || protocol > 2) return ProxyHeaderStatus.Invalid;
        int length = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(14, 2));
        if (data.Length < 16 + length) return ProxyHeaderStatus.Incomplete;
        var body = data.Slice(16, length);
        if (command == 1 && protocol is 1 or 2)
        {
            if (family == 1)
            {
                if (body.Length < 12) return ProxyHeaderStatus.Invalid;
                source = new IPEndPoint(new IPAddress(body[..4]), BinaryPrimitives.ReadUInt16BigEndian(body.Slice(8, 2)));
                destination = new IPEndPoint(new IPAddress(body.Slice(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(body.Slice(10, 2)));
            }
            else if (family == 2)
            {
                if (body.Length < 36) return ProxyHeaderStatus.Invalid;
                var address = new IPAddress(body[..16]);
                if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
                source = new IPEndPoint(address, BinaryPrimitives.ReadUInt16BigEndian(body.Slice(32, 2)));
                var to = new IPAddress(body.Slice(16, 16));
                destination = new IPEndPoint(to.IsIPv4MappedToIPv6 ? to.MapToIPv4() : to, BinaryPrimitives.ReadUInt16BigEndian(body.Slice(34, 2)));
            }
            else if (family == 3 && body.Length < 216) return ProxyHeaderStatus.Invalid;
        }
        consumed = 16 + length;
        return ProxyHeaderStatus.Complete;
    }

    private static ProxyHeaderStatus ParseV1(ReadOnlySpan<byte> data, out int consumed, out IPEndPoint? source, out IPEndPoint? destination)
    {
        consumed = 0;
        source = null;
        destination = null;
        var prefix = Prefix(data, V1Signature);
        if (prefix != ProxyHeaderStatus.Complete) return prefix;
        var window = data[..Math.Min(data.Length, MaxV1Length)];
        var lf = window.IndexOf((byte)'\n');
        if (lf < 0) return data.Length >= MaxV1Length ? ProxyHeaderStatus.Invalid : ProxyHeaderStatus.Incomplete;
        if (lf < 1 || window[lf - 1] != '\r') return ProxyHeaderStatus.Invalid;
        var line = window[V1Signature.Length..(lf - 1)];
        foreach (var b in line)
        {
            if (b is < 0x20 or > 0x7E) return ProxyHeaderStatus.Invalid;
        }
        var text = Encoding.ASCII.GetString(line);
        var parts = text.Split(' ');
        if (parts[0] == "UNKNOWN")
        {
            consumed = lf + 1;
            return ProxyHeaderStatus.Complete;
        }
        if (parts.Length != 5 || parts[0] is not ("TCP4" or "TCP6")) return ProxyHeaderStatus.Invalid;
        var family = parts[0] == "TCP4" ? System.Net.Sockets.AddressFamily.InterNetwork : System.Net.Sockets.AddressFamily.InterNetworkV6;
        if (!Address(parts[1], family, out var from) || !Address(parts[2], family, out var to)
            || !Port(parts[3], out var fromPort) || !Port(parts[4], out var toPort))
            return ProxyHeaderStatus.Invalid;
        if (from.IsIPv4MappedToIPv6) from = from.MapToIPv4();
        if (to.IsIPv4MappedToIPv6) to = to.MapToIPv4();
        source = new IPEndPoint(from, fromPort);
        destination = new IPEndPoint(to, toPort);
        consumed = lf + 1;
        return ProxyHeaderStatus.Complete;
    }

    private static bool Address(string text, System.Net.Sockets.AddressFamily family, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Length == 0 || text.Contains('%') || !IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != family) return false;
        // IPAddress.TryParse also takes shorthand IPv4 ("1", "1.2"): v1 requires the dotted quad.
        if (family == System.Net.Sockets.AddressFamily.InterNetwork && text.Count(c => c == '.') != 3) return false;
        address = parsed;
        return true;
    }

    private static bool Port(string text, out int port)
    {
        port = 0;
        if (text.Length is 0 or > 5 || (text.Length > 1 && text[0] == '0')) return false;
        foreach (var c in text)
        {
            if (c is < '0' or > '9') return false;
        }
        port = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return port <= ushort.MaxValue;
    }
}
