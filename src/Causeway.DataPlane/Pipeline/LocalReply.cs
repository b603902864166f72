namespace Causeway.DataPlane.Pipeline;

/// <summary>
/// An answer the gateway writes itself (redirect, direct response, CORS preflight, 404/421, 5xx from upstream
/// failures): a status, headers and an optional body, described once and written by one writer per transport
/// (<c>KestrelReplyWriter</c>, <c>Http1Exchange.WriteReply</c>).
/// </summary>
internal sealed class LocalReply
{
    private static readonly LocalReply[] Plain = new LocalReply[600];

    public LocalReply(int status) => Status = status;

    public int Status { get; }

    /// <summary>Headers in the order they are written; names as configured, values plain text.</summary>
    public List<KeyValuePair<string, string>> Headers { get; } = [];

    /// <summary>The body (empty: Content-Length 0).</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    public string? ContentType { get; init; }

    /// <summary>Response steps (header edits, CORS) leave it alone: a CORS preflight answer is complete as made.</summary>
    public bool Final { get; init; }

    /// <summary>A shared, header-less, empty reply with this status (never modify it).</summary>
    public static LocalReply Empty(int status)
    {
        if ((uint)status >= Plain.Length) return new LocalReply(status);
        return Volatile.Read(ref Plain[status]) ?? Interlocked.CompareExchange(ref Plain[status], new LocalReply(status), null) ?? Plain[status];
    }

    /// <summary>gRPC's code UNAVAILABLE (14).</summary>
    public const int GrpcUnavailable = 14;

    /// <summary>
    /// A gRPC answer of the gateway's own: HTTP 200, <c>application/grpc</c>, no message, <c>grpc-status</c> and
    /// <c>grpc-message</c> in the headers (as a trailers-only response has them).
    /// </summary>
    public static LocalReply Grpc(int grpcStatus, string message)
    {
        var reply = new LocalReply(200) { ContentType = "application/grpc" };
        reply.Headers.Add(new("grpc-status", grpcStatus.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        reply.Headers.Add(new("grpc-message", message));
        return reply;
    }

    /// <summary>A reply that response steps may add headers to (a copy when <paramref name="reply"/> is shared).</summary>
    public LocalReply Editable() => Headers.Count == 0 && ReferenceEquals(this, Empty(Status)) ? new LocalReply(Status) { Body = Body, ContentType = ContentType } : this;

    public LocalReplyEditor Editor() => new(this);
}

/// <summary>Header edits on a <see cref="LocalReply"/> (the reply must be <see cref="LocalReply.Editable"/>).</summary>
internal struct LocalReplyEditor : IHeaderEditor
{
    private readonly LocalReply _reply;
    private string? _kept;

    public LocalReplyEditor(LocalReply reply)
    {
        _reply = reply;
        _kept = null;
    }

    public void RemoveAll(HeaderText name, bool keep)
    {
        var headers = _reply.Headers;
        _kept = null;
        for (var i = 0; i < headers.Count; i++)
        {
            if (!string.Equals(headers[i].Key, name.Text, StringComparison.OrdinalIgnoreCase)) continue;
            if (keep) _kept = _kept is null ? headers[i].Value : _kept + "," + headers[i].Value;
            headers.RemoveAt(i--);
        }
    }

    public void Add(HeaderText name, HeaderText value, bool afterKept) =>
        _reply.Headers.Add(new(name.Text, afterKept && _kept is not null ? _kept + "," + value.Text : value.Text));

    public readonly bool Has(HeaderText name) => Has(name.Text);

    public void RemoveMatching(Filters.HeaderNameMatch match)
    {
        _kept = null;
        _reply.Headers.RemoveAll(h => match.Removes(h.Key));
    }

    public readonly bool Has(string name)
    {
        foreach (var h in _reply.Headers)
            if (string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }
}
