using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Causeway.Echo.Http;

/// <summary>
/// Just enough HTTP/2 framing to turn an HTTP/1.1 <c>Upgrade: h2c</c> request into stream 1
/// (RFC 7540 section 3.2): HEADERS/CONTINUATION with an HPACK block of literals, then DATA frames.
/// </summary>
internal static class Http2Frames
{
    public const int FrameHeaderLength = 9;
    public const int DefaultMaxFrameSize = 16384;

    public static ReadOnlySpan<byte> ClientPreface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    private const byte TypeData = 0x0;
    private const byte TypeHeaders = 0x1;
    private const byte TypeContinuation = 0x9;
    private const byte FlagEndStream = 0x1;
    private const byte FlagEndHeaders = 0x4;

    /// <summary>Encodes stream 1 carrying the upgraded request.</summary>
    public static byte[] UpgradedRequest(IReadOnlyList<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> body)
    {
        var block = new ArrayBufferWriter<byte>(512);
        foreach (var (name, value) in headers)
        {
            WriteLiteral(block, name, value);
        }

        var output = new ArrayBufferWriter<byte>(block.WrittenCount + body.Length + 64);
        var hpack = block.WrittenSpan;
        var first = true;
        do
        {
            var chunk = hpack[..Math.Min(hpack.Length, DefaultMaxFrameSize)];
            hpack = hpack[chunk.Length..];
            byte flags = 0;
            if (hpack.IsEmpty)
            {
                flags |= FlagEndHeaders;
            }

            if (first && body.IsEmpty)
            {
                flags |= FlagEndStream;
            }

            WriteFrame(output, first ? TypeHeaders : TypeContinuation, flags, 1, chunk);
            first = false;
        }
        while (!hpack.IsEmpty);

        while (!body.IsEmpty)
        {
            var chunk = body[..Math.Min(body.Length, DefaultMaxFrameSize)];
            body = body[chunk.Length..];
            WriteFrame(output, TypeData, body.IsEmpty ? FlagEndStream : (byte)0, 1, chunk);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>Payload length announced by a 9-byte frame header.</summary>
    public static int PayloadLength(ReadOnlySpan<byte> header) => (header[0] << 16) | (header[1] << 8) | header[2];

    private static void WriteFrame(ArrayBufferWriter<byte> output, byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        var span = output.GetSpan(FrameHeaderLength + payload.Length);
        span[0] = (byte)(payload.Length >> 16);
        span[1] = (byte)(payload.Length >> 8);
        span[2] = (byte)payload.Length;
        span[3] = type;
        span[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(span[5..], streamId & 0x7FFFFFFF);
        payload.CopyTo(span[FrameHeaderLength..]);
        output.Advance(FrameHeaderLength + payload.Length);
    }

    /// <summary>HPACK "literal header field without indexing, new name", no Huffman coding.</summary>
    private static void WriteLiteral(ArrayBufferWriter<byte> block, string name, string value)
    {
        block.GetSpan(1)[0] = 0x00;
        block.Advance(1);
        WriteString(block, name);
        WriteString(block, value);
    }

    private static void WriteString(ArrayBufferWriter<byte> block, string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        WriteInteger(block, bytes.Length);
        block.Write(bytes);
    }

    private static void WriteInteger(ArrayBufferWriter<byte> block, int value)
    {
        const int prefixMax = 127; // 7-bit prefix, Huffman bit clear
        if (value < prefixMax)
        {
            block.GetSpan(1)[0] = (byte)value;
            block.Advance(1);
            return;
        }

        var span = block.GetSpan(6);
        var i = 0;
        span[i++] = prefixMax;
        value -= prefixMax;
        while (value >= 128)
        {
            span[i++] = (byte)((value & 0x7F) | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        block.Advance(i);
    }
}
