using System.Text;

namespace Causeway.DataPlane.Transports.Http2.Hpack;

/// <summary>The 61 entries of RFC 7541 Appendix A, as bytes, with a name lookup for the encoder.</summary>
internal static class HpackStaticTable
{
    /// <summary>Entries in the static table (indices 1..61).</summary>
    public const int Count = 61;

    private static readonly (string Name, string Value)[] Text =
    [
        (":authority", ""), (":method", "GET"), (":method", "POST"), (":path", "/"), (":path", "/index.html"),
        (":scheme", "http"), (":scheme", "https"), (":status", "200"), (":status", "204"), (":status", "206"),
        (":status", "304"), (":status", "400"), (":status", "404"), (":status", "500"), ("accept-charset", ""),
        ("accept-encoding", "gzip, deflate"), ("accept-language", ""), ("accept-ranges", ""), ("accept", ""),
        ("access-control-allow-origin", ""), ("age", ""), ("allow", ""), ("authorization", ""), ("cache-control", ""),
        ("content-disposition", ""), ("content-encoding", ""), ("content-language", ""), ("content-length", ""),
        ("content-location", ""), ("content-range", ""), ("content-type", ""), ("cookie", ""), ("date", ""),
        ("etag", ""), ("expect", ""), ("expires", ""), ("from", ""), ("host", ""), ("if-match", ""),
        ("if-modified-since", ""), ("if-none-match", ""), ("if-range", ""), ("if-unmodified-since", ""),
        ("last-modified", ""), ("link", ""), ("location", ""), ("max-forwards", ""), ("proxy-authenticate", ""),
        ("proxy-authorization", ""), ("range", ""), ("referer", ""), ("refresh", ""), ("retry-after", ""),
        ("server", ""), ("set-cookie", ""), ("strict-transport-security", ""), ("transfer-encoding", ""),
        ("user-agent", ""), ("vary", ""), ("via", ""), ("www-authenticate", ""),
    ];

    private static readonly byte[][] Names = Array.ConvertAll(Text, e => Encoding.ASCII.GetBytes(e.Name));
    private static readonly byte[][] Values = Array.ConvertAll(Text, e => Encoding.ASCII.GetBytes(e.Value));

    /// <summary>The name of entry <paramref name="index"/> (1-based).</summary>
    public static ReadOnlySpan<byte> Name(int index) => Names[index - 1];

    /// <summary>The value of entry <paramref name="index"/> (1-based).</summary>
    public static ReadOnlySpan<byte> Value(int index) => Values[index - 1];

    /// <summary>The first index whose name is <paramref name="lowerCaseName"/>, or 0.</summary>
    public static int IndexOfName(ReadOnlySpan<byte> lowerCaseName)
    {
        if (lowerCaseName.IsEmpty) return 0;
        var first = lowerCaseName[0];
        var names = Names;
        for (var i = 0; i < names.Length; i++)
        {
            var name = names[i];
            if (name.Length == lowerCaseName.Length && name[0] == first && lowerCaseName.SequenceEqual(name)) return i + 1;
        }
        return 0;
    }
}
