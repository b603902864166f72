using System.Text;

namespace Causeway.DataPlane.Transports.Http1;

/// <summary>A backend answer the relay cannot frame or trust; answered 502 when nothing was sent to the client yet.</summary>
internal sealed class BackendProtocolException(string message) : Exception(message);

/// <summary>The client went away (or sent less body than announced) mid-exchange.</summary>
internal sealed class ClientGoneException(string message) : Exception(message);

/// <summary>How a backend response body is delimited.</summary>
internal enum BodyFraming { None, Length, Chunked, Close }

/// <summary>A parsed backend response head (offsets into the caller's buffer); reused per connection.</summary>
internal sealed class Http1ResponseHead
{
    private const int MaxHeaders = 200;

    /// <summary>The parsed fields (the first <c>HeaderCount</c>); starts small and grows to the maximum as heads need it.</summary>
    public HeaderEntry[] Headers => _headers;

    private HeaderEntry[] _headers = new HeaderEntry[16];
    public int HeaderCount { get; private set; }
    public int Status { get; private set; }

    /// <summary>Offset and length of "SSS reason" in the status line.</summary>
    public int StatusTextStart { get; private set; }
    public int StatusTextLength { get; private set; }
    public long ContentLength { get; private set; }
    public BodyFraming Framing { get; private set; }
    public bool KeepAlive { get; private set; }
    public bool HasDate { get; private set; }

    /// <summary>Parses a complete head (ending with the empty line); throws <see cref="BackendProtocolException"/>.</summary>
    public void Parse(ReadOnlySpan<byte> head, bool requestWasHead)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var line = head[..lineEnd];
        if (line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[7] is not ((byte)'0' or (byte)'1') || line[8] != ' '
            || !char.IsAsciiDigit((char)line[9]) || !char.IsAsciiDigit((char)line[10]) || !char.IsAsciiDigit((char)line[11])
            || (line.Length > 12 && line[12] != ' ') || line[9] == '0')
            throw new BackendProtocolException("malformed status line");
        if (line[12..].IndexOfAnyInRange((byte)0, (byte)8) >= 0 || line[12..].IndexOfAnyInRange((byte)10, (byte)31) >= 0)
            throw new BackendProtocolException("malformed status line");
        Status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
        StatusTextStart = 9;
        StatusTextLength = line.Length - 9;
        KeepAlive = line[7] == '1';
        HasDate = false;
        HeaderCount = 0;
        long length = -1;
        var chunked = false;
        var pos = lineEnd + 2;
        while (true)
        {
            var rel = head[pos..].IndexOf("\r\n"u8);
            if (rel == 0) break;
            if (HeaderCount == MaxHeaders) throw new BackendProtocolException("too many headers");
            if (HeaderCount == _headers.Length) Array.Resize(ref _headers, Math.Min(MaxHeaders, _headers.Length * 2));
            var l = head.Slice(pos, rel);
            var colon = l.IndexOf((byte)':');
            if (colon <= 0 || l[..colon].IndexOfAnyExcept(Http1Syntax.TokenBytes) >= 0) throw new BackendProtocolException("malformed header");
            var vs = colon + 1;
            while (vs < l.Length && l[vs] is (byte)' ' or (byte)'\t') vs++;
            var ve = l.Length;
            while (ve > vs && l[ve - 1] is (byte)' ' or (byte)'\t') ve--;
            var name = l[..colon];
            var value = l[vs..ve];
            if (value.IndexOfAnyInRange((byte)0, (byte)8) >= 0 || value.IndexOfAnyInRange((byte)10, (byte)31) >= 0 || value.Contains((byte)127))
                throw new BackendProtocolException("malformed header value");
            var kind = HeaderKind.Forward;
            if (Http1Syntax.Is(name, "content-length"))
            {
                if (value.Length is 0 or > 15 || value.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
                    throw new BackendProtocolException("invalid Content-Length");
                var n = long.Parse(value, provider: System.Globalization.CultureInfo.InvariantCulture);
                if (length >= 0 && n != length) throw new BackendProtocolException("conflicting Content-Length");
                length = n;
                kind = HeaderKind.ContentLength;
            }
            else if (Http1Syntax.Is(name, "transfer-encoding"))
            {
                var last = value;
                var comma = value.LastIndexOf((byte)',');
                if (comma >= 0) last = value[(comma + 1)..].Trim(" \t"u8);
                if (!Ascii.EqualsIgnoreCase(last, "chunked"u8)) throw new BackendProtocolException("unsupported Transfer-Encoding");
                chunked = true;
                kind = HeaderKind.Skip;
            }
            else if (Http1Syntax.Is(name, "connection"))
            {
                foreach (var r in value.Split((byte)','))
                {
                    var token = value[r].Trim(" \t"u8);
                    if (Ascii.EqualsIgnoreCase(token, "close"u8)) KeepAlive = false;
                }
                kind = HeaderKind.Skip;
            }
            else if (Http1Syntax.IsSkippedResponseHeader(name))
            {
                kind = HeaderKind.Skip;
            }
            else if (Http1Syntax.Is(name, "date"))
            {
                HasDate = true;
            }
            Headers[HeaderCount++] = new HeaderEntry { NameStart = pos, NameLength = colon, ValueStart = pos + vs, ValueLength = ve - vs, Kind = kind };
            pos += rel + 2;
        }
        ContentLength = length;
        if (requestWasHead || Status is 204 or 304 || Status < 200) Framing = BodyFraming.None;
        else if (chunked) Framing = BodyFraming.Chunked;
        else if (length >= 0) Framing = length == 0 ? BodyFraming.None : BodyFraming.Length;
        else Framing = BodyFraming.Close;
        if (chunked)
        {
            // Transfer-Encoding overrides Content-Length (RFC 9112 6.3), which is then not passed on (as YARP does).
            for (var i = 0; i < HeaderCount; i++)
            {
                if (Headers[i].Kind == HeaderKind.ContentLength) Headers[i].Kind = HeaderKind.Skip;
            }
        }
        if (Framing == BodyFraming.Close) KeepAlive = false;
    }
}
