using System.Text;

namespace Causeway.Conformance.Harness.Requests;

/// <summary>Just enough protobuf wire-format decoding for the echo server's EchoResponse.</summary>
public static class ProtoReader
{
    /// <summary>The fields of one message: (field number, wire type, payload for length-delimited, value for varints).</summary>
    public static IEnumerable<(int Field, int WireType, ReadOnlyMemory<byte> Bytes, ulong Value)> Fields(ReadOnlyMemory<byte> message)
    {
        var pos = 0;
        while (pos < message.Length)
        {
            var key = Varint(message.Span, ref pos);
            var field = (int)(key >> 3);
            var wire = (int)(key & 7);
            switch (wire)
            {
                case 0: yield return (field, wire, default, Varint(message.Span, ref pos)); break;
                case 1: pos += 8; break;
                case 2:
                {
                    var len = (int)Varint(message.Span, ref pos);
                    if (len < 0 || pos + len > message.Length) throw new FormatException("truncated protobuf field");
                    yield return (field, wire, message.Slice(pos, len), 0);
                    pos += len;
                    break;
                }
                case 5: pos += 4; break;
                default: throw new FormatException($"unsupported wire type {wire}");
            }
        }
    }

    public static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    private static ulong Varint(ReadOnlySpan<byte> s, ref int pos)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= s.Length) throw new FormatException("truncated varint");
            var b = s[pos++];
            result |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new FormatException("varint too long");
    }

    /// <summary>Decodes grpcecho.EchoResponse into the fields the suite checks.</summary>
    public static EchoResponse DecodeEchoResponse(ReadOnlyMemory<byte> message)
    {
        string fqm = "", authority = "", ns = "", pod = "", service = "";
        string? sni = null;
        var headers = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (f, w, assertions, _) in Fields(message))
        {
            if (f != 1 || w != 2) continue;
            foreach (var (af, aw, value, _) in Fields(assertions))
            {
                if (aw != 2) continue;
                switch (af)
                {
                    case 1: fqm = Text(value); break;
                    case 2:
                    {
                        string k = "", v = "";
                        foreach (var (hf, hw, hv, _) in Fields(value))
                            if (hw == 2) { if (hf == 1) k = Text(hv); else if (hf == 2) v = Text(hv); }
                        headers[k] = headers.TryGetValue(k, out var l) ? [.. l, v] : [v];
                        break;
                    }
                    case 3: authority = Text(value); break;
                    case 4:
                        foreach (var (cf, cw, cv, _) in Fields(value))
                            if (cw == 2)
                                switch (cf) { case 1: ns = Text(cv); break; case 3: service = Text(cv); break; case 4: pod = Text(cv); break; }
                        break;
                    case 5:
                        foreach (var (tf, tw, tv, _) in Fields(value))
                            if (tw == 2 && tf == 3) sni = Text(tv);
                        break;
                }
            }
        }
        return new EchoResponse
        {
            FullyQualifiedMethod = fqm,
            Host = authority,
            Headers = headers,
            Namespace = ns,
            Pod = pod,
            Service = service,
            TlsServerName = sni,
        };
    }
}
