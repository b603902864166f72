using System.Text;

namespace Causeway.DataPlane.Transports.Http1;

/// <summary>Outcome of parsing a request head on the fast path.</summary>
internal enum HeadStatus
{
    /// <summary>A complete, simple HTTP/1.1 (or, where accepted, HTTP/1.0) request head the fast path can relay.</summary>
    Ok,

    /// <summary>More bytes are needed (nothing suspicious so far).</summary>
    Incomplete,

    /// <summary>Anything else: the request goes, unconsumed, to the Kestrel pipeline.</summary>
    HandOff,

    /// <summary>
    /// A Content-Length that is not 1*DIGIT (RFC 9110 8.6), e.g. "+0", which Kestrel would accept: answer 400 and close.
    /// </summary>
    Reject,
}

/// <summary>What a header line is to the relay.</summary>
internal enum HeaderKind : byte
{
    Forward,
    Skip,
    Host,
    ContentLength,
    Connection,
    XForwardedFor,
}

/// <summary>One header line as offsets into the head buffer (value without surrounding whitespace).</summary>
internal struct HeaderEntry
{
    public int NameStart;
    public int NameLength;
    public int ValueStart;
    public int ValueLength;
    public HeaderKind Kind;
}

/// <summary>
/// A strict HTTP/1.1 request head parser for the fast path: it accepts only what it can relay exactly as the Kestrel +
/// YARP pipeline would (origin-form targets without percent-decoding or dot segments in the path, one Host, at most one
/// plain Content-Length, no Transfer-Encoding, Expect or Upgrade, no obs-fold, no duplicate header names, ASCII only)
/// and answers <see cref="HeadStatus.HandOff"/> for everything else. Reused per connection; stores offsets only.
/// </summary>
internal sealed class Http1RequestHead
{
    private const int MaxHeaders = 100;

    private bool _rejected;

    /// <summary>The parsed fields (the first <c>HeaderCount</c>); starts small and grows to the maximum as heads need it.</summary>
    public HeaderEntry[] Headers => _headers;

    private HeaderEntry[] _headers = new HeaderEntry[16];
    public int HeaderCount { get; private set; }

    /// <summary>Length of the head including the final empty line.</summary>
    public int HeadLength { get; private set; }
    public int MethodLength { get; private set; }
    public int TargetStart { get; private set; }
    public int TargetLength { get; private set; }
    public int PathLength { get; private set; }

    /// <summary>Request line including its CRLF.</summary>
    public int RequestLineLength { get; private set; }
    public int HostIndex { get; private set; }
    public int ForwardedForIndex { get; private set; }
    public long ContentLength { get; private set; }
    /// <summary>
    /// The connection closes after this request's response: the client said Connection: close, or it is an HTTP/1.0
    /// request without Connection: keep-alive.
    /// </summary>
    public bool ConnectionClose { get; private set; }
    public bool IsHead { get; private set; }

    /// <summary>Requests may be HTTP/1.0 (set by a transport that frames responses for such clients: the event loop).</summary>
    public bool AcceptsHttp10 { get; set; }

    /// <summary>
    /// The request line said HTTP/1.0: it goes to the backend as HTTP/1.1 (as from the Kestrel pipeline), and its
    /// response is never chunked (RFC 9112 6.1): a body without a length is sent close-delimited.
    /// </summary>
    public bool Http10 { get; private set; }

    /// <summary>
    /// Parses the head at the start of <paramref name="buffer"/>; <paramref name="limit"/> is the largest head accepted
    /// (larger ones are handed off, so Kestrel answers 431 as it always did).
    /// </summary>
    public HeadStatus Parse(ReadOnlySpan<byte> buffer, int limit)
    {
        var end = buffer.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            if (buffer.Length >= limit) return HeadStatus.HandOff;
            return LooksValidSoFar(buffer) ? HeadStatus.Incomplete : HeadStatus.HandOff;
        }
        HeadLength = end + 4;
        if (HeadLength > limit) return HeadStatus.HandOff;
        var head = buffer[..HeadLength];
        // Only visible ASCII, SP, HTAB and CRLF pairs; a bare CR or LF means the parse is in doubt.
        if (head.IndexOfAnyExcept(Http1Syntax.HeadBytes) >= 0) return HeadStatus.HandOff;
        var crlf = head.Count("\r\n"u8);
        if (head.Count((byte)'\r') != crlf || head.Count((byte)'\n') != crlf) return HeadStatus.HandOff;
        _rejected = false;
        return ParseRequestLine(head) && ParseHeaders(head) ? HeadStatus.Ok : _rejected ? HeadStatus.Reject : HeadStatus.HandOff;
    }

    private static bool LooksValidSoFar(ReadOnlySpan<byte> buffer)
    {
        if (buffer.IndexOfAnyExcept(Http1Syntax.HeadBytes) >= 0) return false;
        for (var i = buffer.IndexOf((byte)'\n'); i >= 0; i = Next(buffer, i))
        {
            if (i == 0 || buffer[i - 1] != '\r') return false;
        }
        return true;

        static int Next(ReadOnlySpan<byte> b, int i)
        {
            var j = b[(i + 1)..].IndexOf((byte)'\n');
            return j < 0 ? -1 : i + 1 + j;
        }
    }

    private bool ParseRequestLine(ReadOnlySpan<byte> head)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        RequestLineLength = lineEnd + 2;
        var line = head[..lineEnd];
        var sp = line.IndexOf((byte)' ');
        if (sp <= 0 || line[..sp].IndexOfAnyExceptInRange((byte)'A', (byte)'Z') >= 0) return false;
        MethodLength = sp;
        var method = line[..sp];
        if (method.SequenceEqual("CONNECT"u8) || method.SequenceEqual("PRI"u8)) return false;
        IsHead = method.SequenceEqual("HEAD"u8);
        var rest = line[(sp + 1)..];
        var sp2 = rest.IndexOf((byte)' ');
        if (sp2 <= 0) return false;
        var version = rest[(sp2 + 1)..];
        Http10 = AcceptsHttp10 && version.SequenceEqual("HTTP/1.0"u8);
        if (!Http10 && !version.SequenceEqual("HTTP/1.1"u8)) return false;
        var target = rest[..sp2];
        if (target[0] != '/') return false;
        TargetStart = sp + 1;
        TargetLength = sp2;
        var q = target.IndexOf((byte)'?');
        var path = q < 0 ? target : target[..q];
        PathLength = path.Length;
        if (path.IndexOfAnyExcept(Http1Syntax.PathBytes) >= 0 || HasDotSegment(path)) return false;
        return q < 0 || Http1Syntax.IsSimpleQuery(target[(q + 1)..]);
    }

    /// <summary>Kestrel removes "." and ".." segments; such paths go to it.</summary>
    private static bool HasDotSegment(ReadOnlySpan<byte> path)
    {
        for (var i = path.IndexOf((byte)'.'); i >= 0;)
        {
            if (path[i - 1] == '/')
            {
                var j = i + 1;
                if (j < path.Length && path[j] == '.') j++;
                if (j == path.Length || path[j] == '/') return true;
            }
            var next = path[(i + 1)..].IndexOf((byte)'.');
            i = next < 0 ? -1 : i + 1 + next;
        }
        return false;
    }

    /// <summary>The head was written from an HTTP/2 request's HEADERS (the event loop's HTTP/2): its protocol is HTTP/2.</summary>
    public bool Http2 { get; set; }

    /// <summary>The request's protocol as the access log, policies and routing name it.</summary>
    public string Protocol => Http2 ? "HTTP/2" : Http10 ? "HTTP/1.0" : "HTTP/1.1";

    /// <summary><see cref="Protocol"/> as ASCII bytes.</summary>
    public ReadOnlySpan<byte> ProtocolBytes => Http2 ? "HTTP/2"u8 : Http10 ? "HTTP/1.0"u8 : "HTTP/1.1"u8;

    private bool ParseHeaders(ReadOnlySpan<byte> head)
    {
        HeaderCount = 0;
        HostIndex = -1;
        ForwardedForIndex = -1;
        ContentLength = 0;
        ConnectionClose = false;
        _keepAlive = false;
        var hasLength = false;
        var pos = RequestLineLength;
        while (true)
        {
            var rel = head[pos..].IndexOf("\r\n"u8);
            if (rel == 0) break; // the empty line
            if (HeaderCount == MaxHeaders) return false;
            if (HeaderCount == _headers.Length) Array.Resize(ref _headers, Math.Min(MaxHeaders, _headers.Length * 2));
            var line = head.Slice(pos, rel);
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[..colon].IndexOfAnyExcept(Http1Syntax.TokenBytes) >= 0) return false;
            var valueStart = colon + 1;
            while (valueStart < line.Length && line[valueStart] is (byte)' ' or (byte)'\t') valueStart++;
            var valueEnd = line.Length;
            while (valueEnd > valueStart && line[valueEnd - 1] is (byte)' ' or (byte)'\t') valueEnd--;
            var name = line[..colon];
            var value = line[valueStart..valueEnd];
            var kind = Http1Syntax.Classify(name);
            switch (kind)
            {
                case HeaderKindOrHandOff.HandOff:
                    return false;
                case HeaderKindOrHandOff.Host:
                    if (value.Length == 0 || value.IndexOfAnyExcept(Http1Syntax.HostBytes) >= 0) return false;
                    HostIndex = HeaderCount;
                    break;
                case HeaderKindOrHandOff.ContentLength:
                    if (value.Length == 0 || value.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
                    {
                        _rejected = true;
                        return false;
                    }
                    if (value.Length > 15) return false;
                    ContentLength = long.Parse(value, provider: System.Globalization.CultureInfo.InvariantCulture);
                    hasLength = true;
                    break;
                case HeaderKindOrHandOff.Connection:
                    if (!ParseConnection(value)) return false;
                    break;
                case HeaderKindOrHandOff.XForwardedFor:
                    ForwardedForIndex = HeaderCount;
                    break;
            }
            for (var i = 0; i < HeaderCount; i++)
            {
                ref var other = ref Headers[i];
                if (other.NameLength == name.Length && Ascii.EqualsIgnoreCase(head.Slice(other.NameStart, other.NameLength), name))
                    return false; // duplicate names: Kestrel would merge them; let it
            }
            Headers[HeaderCount++] = new HeaderEntry
            {
                NameStart = pos,
                NameLength = colon,
                ValueStart = pos + valueStart,
                ValueLength = value.Length,
                Kind = (HeaderKind)kind,
            };
            pos += rel + 2;
        }
        if (!hasLength) ContentLength = 0;
        if (Http10 && !_keepAlive) ConnectionClose = true; // HTTP/1.0 keeps the connection only when asked to
        return HostIndex >= 0;
    }

    private bool _keepAlive;

    /// <summary>Connection tokens: close and keep-alive are understood; upgrade (or anything odd) hands off.</summary>
    private bool ParseConnection(ReadOnlySpan<byte> value)
    {
        foreach (var range in value.Split((byte)','))
        {
            var token = value[range].Trim(" \t"u8);
            if (token.Length == 0) continue;
            if (Ascii.EqualsIgnoreCase(token, "close"u8)) ConnectionClose = true;
            else if (Ascii.EqualsIgnoreCase(token, "keep-alive"u8)) _keepAlive = true;
            else if (Ascii.EqualsIgnoreCase(token, "upgrade"u8)) return false;
        }
        return true;
    }

    /// <summary>The bytes of a header entry's name or value (helpers for the caller's span).</summary>
    public static ReadOnlySpan<byte> Name(ReadOnlySpan<byte> head, in HeaderEntry e) => head.Slice(e.NameStart, e.NameLength);

    public static ReadOnlySpan<byte> Value(ReadOnlySpan<byte> head, in HeaderEntry e) => head.Slice(e.ValueStart, e.ValueLength);
}
