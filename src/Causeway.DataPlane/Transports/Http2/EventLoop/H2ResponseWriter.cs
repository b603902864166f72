using Causeway.DataPlane.Transports.Http1;

namespace Causeway.DataPlane.Transports.Http2.EventLoop;

/// <summary>
/// Writes what <see cref="Http1Exchange"/> produced as HTTP/1.1 (a response head with every edit applied, a reply of
/// the gateway's own, chunked trailers) to an HTTP/2 stream: the status line becomes <c>:status</c>, the fields go
/// lower-cased, and the connection-specific ones HTTP/2 forbids (Connection, Keep-Alive, Transfer-Encoding, Upgrade,
/// Proxy-Connection: <see cref="Http1Syntax.IsSkippedResponseHeader"/>, the list every transport drops) are left out. So the response edits exist once, in the exchange, for both protocols.
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
        var reader = new FieldLines(lines);
        while (reader.Next(out var name, out var value))
        {
            if (Http1Syntax.IsSkippedResponseHeader(name)) continue;
            var lower = name.ToArray();
            System.Text.Ascii.ToLowerInPlace(lower, out _);
            fields.Add(new Http2HeaderField(lower, value.ToArray()));
        }
        return fields.Count > 0 && session.SendTrailers(streamId, [.. fields]);
    }

    /// <summary>One "name: value" line of a head, unless HTTP/2 forbids the field (the byte transports' skip list).</summary>
    private static void AddField(Http2ServerSession session, ReadOnlySpan<byte> line)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0) return;
        var name = line[..colon];
        if (Http1Syntax.IsSkippedResponseHeader(name)) return;
        session.AddHeader(name, line[(colon + 1)..].TrimStart(" \t"u8));
    }

    private static int ParseStatus(ReadOnlySpan<byte> statusLine)
    {
        // "HTTP/1.1 NNN reason"
        var sp = statusLine.IndexOf((byte)' ');
        var code = statusLine[(sp + 1)..];
        return (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
    }
}
