namespace Causeway.DataPlane.Transports.Http2;

/// <summary>
/// A request's (or its trailers') fields as the session decoded and checked them, lent to the handler for the length
/// of one event. Absent pseudo-headers read as empty spans; <see cref="Count"/> regular fields follow in order.
/// </summary>
internal readonly ref struct Http2RequestHeaders
{
    private readonly Http2HeaderCollector _fields;

    internal Http2RequestHeaders(Http2HeaderCollector fields) => _fields = fields;

    public ReadOnlySpan<byte> Method => _fields.Method;
    public ReadOnlySpan<byte> Scheme => _fields.Scheme;
    public ReadOnlySpan<byte> Path => _fields.Path;
    public ReadOnlySpan<byte> Authority => _fields.Authority;

    /// <summary>The content-length field's value, or -1.</summary>
    public long ContentLength => _fields.ContentLength;

    /// <summary>Regular fields (not pseudo-headers).</summary>
    public int Count => _fields.Count;

    public ReadOnlySpan<byte> Name(int index) => _fields.Name(index);
    public ReadOnlySpan<byte> Value(int index) => _fields.Value(index);

    /// <summary>The first value of field <paramref name="name"/> (lower case).</summary>
    public bool TryGetValue(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        for (var i = 0; i < _fields.Count; i++)
        {
            if (_fields.Name(i).SequenceEqual(name))
            {
                value = _fields.Value(i);
                return true;
            }
        }
        value = default;
        return false;
    }
}
