using Causeway.DataPlane.Transports.Http1;

namespace Causeway.DataPlane.Transports.Http2.Hpack;

/// <summary>
/// The response side of RFC 7541, stateless: it never inserts into the dynamic table (so a block may be encoded
/// ahead of time and sent later). <c>:status</c> is an indexed field for the seven static codes and a literal with
/// the static name otherwise; other fields are literals without indexing, with the static table's name index where
/// it has the name, else a literal name written in lower case. No Huffman coding.
/// </summary>
internal static class HpackEncoder
{
    /// <summary>Appends the <c>:status</c> field.</summary>
    public static void WriteStatus(ByteBuilder output, int status)
    {
        var indexed = status switch { 200 => 8, 204 => 9, 206 => 10, 304 => 11, 400 => 12, 404 => 13, 500 => 14, _ => 0 };
        if (indexed != 0)
        {
            output.Append((byte)(0x80 | indexed));
            return;
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 999);
        output.Append(0x08); // literal without indexing, name = static index 8 (:status)
        output.Append(3);
        output.AppendDecimal(status);
    }

    /// <summary>Appends one field; <paramref name="name"/> is written in lower case whatever its case.</summary>
    public static void WriteField(ByteBuilder output, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        var lower = IsLowerCase(name);
        var index = lower ? HpackStaticTable.IndexOfName(name) : 0;
        if (!lower)
        {
            Span<byte> folded = name.Length <= 256 ? stackalloc byte[name.Length] : new byte[name.Length];
            for (var i = 0; i < name.Length; i++) folded[i] = ToLower(name[i]);
            index = HpackStaticTable.IndexOfName(folded);
            if (index == 0)
            {
                output.Append(0x00);
                WriteString(output, folded);
                WriteString(output, value);
                return;
            }
        }
        if (index != 0)
        {
            WriteInteger(output, 0x00, 4, index);
        }
        else
        {
            output.Append(0x00);
            WriteString(output, name);
        }
        WriteString(output, value);
    }

    /// <summary>Appends an integer with an N-bit prefix (RFC 7541 5.1), <paramref name="flags"/> in the first byte's high bits.</summary>
    public static void WriteInteger(ByteBuilder output, byte flags, int prefixBits, int value)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            output.Append((byte)(flags | value));
            return;
        }
        output.Append((byte)(flags | max));
        value -= max;
        while (value >= 0x80)
        {
            output.Append((byte)(value & 0x7F | 0x80));
            value >>= 7;
        }
        output.Append((byte)value);
    }

    private static void WriteString(ByteBuilder output, ReadOnlySpan<byte> text)
    {
        WriteInteger(output, 0x00, 7, text.Length);
        output.Append(text);
    }

    private static bool IsLowerCase(ReadOnlySpan<byte> name)
    {
        foreach (var b in name)
            if (b - (uint)'A' <= 'Z' - 'A') return false;
        return true;
    }

    private static byte ToLower(byte b) => b - (uint)'A' <= 'Z' - 'A' ? (byte)(b | 0x20) : b;
}
