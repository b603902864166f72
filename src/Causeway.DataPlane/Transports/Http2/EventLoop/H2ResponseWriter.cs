using Causeway.DataPlane.Transports.Http1;

namespace Causeway.DataPlane.Transports.Http2.EventLoop;

/// <summary>
/// Writes what <see cref="Http1Exchange"/> produced as HTTP/1.1 (a response head with every edit applied, a reply of
/// the gateway's own, chunked trailers) to an HTTP/2 stream: the status line becomes <c>:status</c>, the fields go
/// lower-cased, and the connection-specific ones HTTP/2 forbids (Connection, Keep-Alive, Transfer-Encoding, Upgrade,
/// Proxy-Connection) are left out. So the response edits exist once, in the exchange, for both protocols.
/// </summary>
internal static class H2ResponseWriter
{
    /// <summary>The response head in <paramref name="head"/> ("HTTP/1.1 200 OK\r\n" ... "\r\n") as HEADERS.</summary>
    public static void Head(Http2ServerSession session, int streamId, ReadOnlySpan<byte> head, bool endStream)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var status = ParseStatus(head[..lineEnd]);
        if (!session.BeginHeaders(streamId, status))
        {
            return;
        }
        var pos = lineEnd + 2;
        while (pos < head.Length)
        {
            var rel = head[pos..].IndexOf("\r\n"u8);
            if (rel <= 0) break; // the empty line
            AddField(session, head.Slice(pos, rel));
            pos += rel + 2;
        }
        session.EndHeaders(endStream);
    }

    /// <summary>A whole reply (head and body) as HEADERS and DATA.</summary>
    public static void Reply(Http2ServerSession session, int streamId, ReadOnlySpan<byte> reply)
    {
        var end = reply.IndexOf("\r\n\r\n"u8);
        var body = reply[(end + 4)..];
        Head(session, streamId, reply[..(end + 4)], endStream: body.IsEmpty);
        if (!body.IsEmpty) session.SendData(streamId, body, endStream: true);
    }

    /// <summary>Trailer field lines ("name: value\r\n") as the stream's trailers; false when none were valid.</summary>
    public static bool Trailers(Http2ServerSession session, int streamId, ReadOnlySpan<byte> lines)
    {
        var fields = new List<Http2HeaderField>();
        while (!lines.IsEmpty)
        {
            var end = lines.IndexOf("\r\n"u8);
            var line = end < 0 ? lines : lines[..end];
            lines = end < 0 ? default : lines[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0) continue;
            var name = line[..colon].ToArray();
            System.Text.Ascii.ToLowerInPlace(name, out _);
            if (Forbidden(name)) continue;
            fields.Add(new Http2HeaderField(name, line[(colon + 1)..].Trim(" \t"u8).ToArray()));
        }
        return fields.Count > 0 && session.SendTrailers(streamId, [.. fields]);
    }

    private static void AddField(Http2ServerSession session, ReadOnlySpan<byte> line)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0) return;
        var name = line[..colon];
        if (Forbidden(name)) return;
        var value = line[(colon + 1)..];
        while (!value.IsEmpty && value[0] is (byte)' ' or (byte)'\t') value = value[1..];
        session.AddHeader(name, value);
    }

    /// <summary>Connection-specific fields (RFC 9113 section 8.2.2), which an HTTP/2 response must not carry.</summary>
    private static bool Forbidden(ReadOnlySpan<byte> name) => name.Length switch
    {
        7 => System.Text.Ascii.EqualsIgnoreCase(name, "upgrade"u8),
        10 => System.Text.Ascii.EqualsIgnoreCase(name, "connection"u8) || System.Text.Ascii.EqualsIgnoreCase(name, "keep-alive"u8),
        16 => System.Text.Ascii.EqualsIgnoreCase(name, "proxy-connection"u8),
        17 => System.Text.Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8),
        _ => false,
    };

    private static int ParseStatus(ReadOnlySpan<byte> statusLine)
    {
        // "HTTP/1.1 NNN reason"
        var sp = statusLine.IndexOf((byte)' ');
        var code = statusLine[(sp + 1)..];
        return (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
    }
}
