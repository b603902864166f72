using System.Text;

namespace Causeway.DataPlane.Http.FastPath;

/// <summary>
/// The transport-independent half of a fast-path exchange, one per client connection and reused for each of its
/// requests: the parsed request head and the bytes it points into, routing, the head forwarded to the backend, the
/// parsed response head and the head written back (header edits included), and the gateway's own error answers.
/// <see cref="Http1Connection"/> (Kestrel transport) and <see cref="EventLoop.LoopConnection"/> (the fast path's own
/// event loop) do the I/O around it, so both relay exactly the same bytes.
/// </summary>
internal sealed class Http1Exchange
{
    /// <summary>Marks a header line removed by an edit.</summary>
    private static readonly byte[] Removed = [];

    private readonly Http1FastPath _owner;
    private byte[]?[]? _editState;
    private List<(byte[] Name, byte[] Value)>? _extras;

    /// <param name="tls">The connection is TLS (decrypted below): X-Forwarded-Proto https, SNI checked.</param>
    /// <param name="sni">The server name of the TLS handshake, if any.</param>
    public Http1Exchange(Http1FastPath owner, bool tls, string? sni, int headBufferSize = 2048)
    {
        _owner = owner;
        Tls = tls;
        Sni = string.IsNullOrEmpty(sni) ? null : sni;
        HeadBuffer = new byte[headBufferSize];
    }

    public bool Tls { get; }
    public string? Sni { get; }
    public Http1RequestHead Head { get; } = new();

    /// <summary>The bytes <see cref="Head"/> points into (the head starts at offset 0).</summary>
    public byte[] HeadBuffer { get; private set; }

    /// <summary>The head forwarded to the backend (built by <see cref="BuildForwardedHead"/>).</summary>
    public ByteBuilder Forward { get; } = new();

    /// <summary>The response head (or answer) for the client.</summary>
    public ByteBuilder Response { get; } = new();

    public Http1ResponseHead ResponseHead { get; } = new();
    public byte[] ResponseBuffer { get; private set; } = new byte[2048];
    public FastTarget? Target { get; private set; }

    /// <summary>Makes <see cref="HeadBuffer"/> at least <paramref name="length"/> bytes, keeping its first <paramref name="keep"/>.</summary>
    public void EnsureHeadBuffer(int length, int keep = 0)
    {
        if (HeadBuffer.Length >= length) return;
        var bigger = new byte[Math.Max(length, HeadBuffer.Length * 2)];
        HeadBuffer.AsSpan(0, keep).CopyTo(bigger);
        HeadBuffer = bigger;
    }

    /// <summary>Makes <see cref="ResponseBuffer"/> at least <paramref name="length"/> bytes (contents not kept).</summary>
    public void EnsureResponseBuffer(int length)
    {
        if (ResponseBuffer.Length < length) ResponseBuffer = new byte[Math.Max(length, ResponseBuffer.Length * 2)];
    }

    /// <summary>Listener by Host, virtual host, first match; null when the rule's target is eligible, else why not.</summary>
    public string? Route(CompiledPort port)
    {
        var head = Head;
        ref var hostEntry = ref head.Headers[head.HostIndex];
        if (hostEntry.ValueLength > 255 || head.PathLength > 4096) return "long host or path";
        Span<char> hostChars = stackalloc char[hostEntry.ValueLength];
        Ascii.ToUtf16(HeadBuffer.AsSpan(hostEntry.ValueStart, hostEntry.ValueLength), hostChars, out _);
        var host = HostMap<object>.StripPort(hostChars);
        var listener = port.Listeners.Find(host);
        if (Tls)
        {
            // As HttpRequestHandler: 421 when the SNI chose another listener (Kestrel's path answers it). Client
            // certificates are left to the full pipeline altogether on a port that validates them.
            if (port.ValidatesClientCertificates) return "client certificate validation on the port";
            if (Sni is not null && !ReferenceEquals(port.Listeners.Find(Sni), listener)) return "SNI selects another listener";
        }
        var vhost = listener?.Routes?.Find(host);
        if (vhost is null) return "no virtual host";
        Span<char> path = head.PathLength <= 512 ? stackalloc char[head.PathLength] : new char[head.PathLength];
        Ascii.ToUtf16(HeadBuffer.AsSpan(head.TargetStart, head.PathLength), path, out _);
        var match = vhost.Find(new Http1RequestView(head, HeadBuffer), path, out var targets);
        if (match is null) return "no route";
        if (targets is null) return "rule needs the full pipeline";
        var index = targets.Length == 1 ? 0 : match.Rule.PickTarget();
        if (index < 0) return "no target";
        Target = targets[index];
        return null;
    }

    /// <summary>
    /// The request as the backend gets it: same request line, Host, hop-by-hop headers dropped, edits, X-Forwarded-*.
    /// </summary>
    /// <param name="clientIp">The client address as ASCII, or null when unknown.</param>
    public void BuildForwardedHead(byte[]? clientIp)
    {
        var head = Head;
        var buf = HeadBuffer;
        var o = Forward;
        o.Clear();
        o.Append(buf.AsSpan(0, head.RequestLineLength));
        ref var hostEntry = ref head.Headers[head.HostIndex];
        var host = buf.AsSpan(hostEntry.ValueStart, hostEntry.ValueLength);
        o.AppendHeader("Host"u8, host);
        var edits = Target!.RequestEdits;
        if (edits.Length > 0) ApplyEdits(edits, head.Headers, head.HeaderCount, buf);
        for (var i = 0; i < head.HeaderCount; i++)
        {
            ref var e = ref head.Headers[i];
            if (e.Kind is not (HeaderKind.Forward or HeaderKind.ContentLength)) continue;
            if (edits.Length > 0 && _editState![i] is { } edited)
            {
                if (!ReferenceEquals(edited, Removed)) o.AppendHeader(buf.AsSpan(e.NameStart, e.NameLength), edited);
                continue;
            }
            o.AppendHeader(buf.AsSpan(e.NameStart, e.NameLength), buf.AsSpan(e.ValueStart, e.ValueLength));
        }
        if (edits.Length > 0)
        {
            foreach (var (name, value) in _extras!) o.AppendHeader(name, value);
        }
        if (clientIp is not null || head.ForwardedForIndex >= 0)
        {
            o.Append("X-Forwarded-For: "u8);
            if (head.ForwardedForIndex >= 0)
            {
                ref var xff = ref head.Headers[head.ForwardedForIndex];
                o.Append(buf.AsSpan(xff.ValueStart, xff.ValueLength));
                if (clientIp is not null) o.Append(", "u8);
            }
            if (clientIp is not null) o.Append(clientIp);
            o.Append("\r\n"u8);
        }
        o.Append(Tls ? "X-Forwarded-Proto: https\r\nX-Forwarded-Host: "u8 : "X-Forwarded-Proto: http\r\nX-Forwarded-Host: "u8);
        o.Append(host);
        o.Append("\r\n\r\n"u8);
    }

    /// <summary>
    /// Parses the response head held in the first <paramref name="length"/> bytes of <see cref="ResponseBuffer"/>;
    /// returns false for an interim (1xx) answer, which is dropped as HttpClient does.
    /// </summary>
    public bool ParseResponseHead(int length)
    {
        ResponseHead.Parse(ResponseBuffer.AsSpan(0, length), Head.IsHead);
        if (ResponseHead.Status >= 200) return true;
        if (ResponseHead.Status == 101) throw new BackendProtocolException("unexpected 101 Switching Protocols");
        return false;
    }

    /// <summary>Writes the client's response head into <see cref="Response"/> (cleared first).</summary>
    /// <param name="close">Announce Connection: close (the client asked for it, or the connection is closing).</param>
    public void WriteResponseHead(bool close)
    {
        var h = ResponseHead;
        var buf = ResponseBuffer;
        var o = Response;
        o.Clear();
        o.Append("HTTP/1.1 "u8);
        o.Append(buf.AsSpan(h.StatusTextStart, h.StatusTextLength));
        if (h.StatusTextLength == 3) o.Append((byte)' ');
        o.Append("\r\n"u8);
        var edits = Target!.ResponseEdits;
        if (edits.Length > 0) ApplyEdits(edits, h.Headers, h.HeaderCount, buf);
        for (var i = 0; i < h.HeaderCount; i++)
        {
            ref var e = ref h.Headers[i];
            if (e.Kind == HeaderKind.Skip || (edits.Length > 0 && ReferenceEquals(_editState![i], Removed))) continue;
            o.AppendHeader(buf.AsSpan(e.NameStart, e.NameLength), buf.AsSpan(e.ValueStart, e.ValueLength));
        }
        if (edits.Length > 0)
        {
            foreach (var (name, value) in _extras!) o.AppendHeader(name, value);
        }
        if (!h.HasDate) o.AppendHeader("Date"u8, _owner.DateHeaderValue());
        if (h.Framing is BodyFraming.Chunked or BodyFraming.Close) o.Append("Transfer-Encoding: chunked\r\n"u8);
        if (close) o.Append("Connection: close\r\n"u8);
        o.Append("\r\n"u8);
    }

    /// <summary>An answer of the gateway's own (400/503/502/504 with an empty body) into <see cref="Response"/>, as the full pipeline writes it.</summary>
    public void WriteAnswer(int status, bool close)
    {
        var o = Response;
        o.Clear();
        o.Append(status switch
        {
            400 => "HTTP/1.1 400 Bad Request\r\n"u8,
            503 => "HTTP/1.1 503 Service Unavailable\r\n"u8,
            504 => "HTTP/1.1 504 Gateway Timeout\r\n"u8,
            _ => "HTTP/1.1 502 Bad Gateway\r\n"u8,
        });
        o.Append("Content-Length: 0\r\n"u8);
        o.AppendHeader("Date"u8, _owner.DateHeaderValue());
        if (close) o.Append("Connection: close\r\n"u8);
        o.Append("\r\n"u8);
    }

    /// <summary>
    /// Runs header edits with the semantics of <see cref="HeaderEdits.Apply"/> on a header dictionary: names compare
    /// case-insensitively; set replaces every value, add appends to the existing values joined with ",", remove drops
    /// them all. Results: per line in <see cref="_editState"/> (null unchanged, <see cref="Removed"/>, or a new value)
    /// and added lines in <see cref="_extras"/>.
    /// </summary>
    private void ApplyEdits(EditStep[] steps, HeaderEntry[] entries, int count, byte[] buffer)
    {
        if (_editState is null || _editState.Length < count) _editState = new byte[]?[Math.Max(count, 32)];
        Array.Clear(_editState, 0, count);
        (_extras ??= []).Clear();
        foreach (var step in steps)
        {
            byte[]? existing = null;
            for (var i = 0; i < count; i++)
            {
                ref var e = ref entries[i];
                if (e.Kind != HeaderKind.Forward || ReferenceEquals(_editState[i], Removed)
                    || !Ascii.EqualsIgnoreCase(buffer.AsSpan(e.NameStart, e.NameLength), step.Name))
                    continue;
                if (step.Op == 1)
                {
                    var value = _editState[i] ?? buffer.AsSpan(e.ValueStart, e.ValueLength).ToArray();
                    existing = existing is null ? value : [.. existing, (byte)',', .. value];
                }
                _editState[i] = Removed;
            }
            for (var j = _extras.Count - 1; j >= 0; j--)
            {
                if (!Ascii.EqualsIgnoreCase(_extras[j].Name, step.Name)) continue;
                if (step.Op == 1) existing = existing is null ? _extras[j].Value : [.. existing, (byte)',', .. _extras[j].Value];
                _extras.RemoveAt(j);
            }
            switch (step.Op)
            {
                case 0:
                    _extras.Add((step.Name, step.Value));
                    break;
                case 1:
                    _extras.Add((step.Name, existing is null ? step.Value : [.. existing, (byte)',', .. step.Value]));
                    break;
            }
        }
    }
}
