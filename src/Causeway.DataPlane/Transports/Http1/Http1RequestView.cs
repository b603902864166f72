using System.Text;
using Microsoft.Extensions.Primitives;

namespace Causeway.DataPlane.Transports.Http1;

/// <summary>A parsed fast-path request head as the route matcher sees it (strings only made for header/query conditions).</summary>
internal readonly struct Http1RequestView : IRequestView
{
    private readonly Http1RequestHead _head;
    private readonly byte[] _buffer;

    public Http1RequestView(Http1RequestHead head, byte[] buffer)
    {
        _head = head;
        _buffer = buffer;
    }

    public bool MethodIs(string method)
    {
        var m = _buffer.AsSpan(0, _head.MethodLength);
        return m.Length == method.Length && Ascii.Equals(m, method);
    }

    public bool TryGetHeader(string name, out StringValues values)
    {
        var i = IndexOf(name);
        if (i < 0)
        {
            values = default;
            return false;
        }
        ref var e = ref _head.Headers[i];
        values = Encoding.ASCII.GetString(_buffer, e.ValueStart, e.ValueLength);
        return true;
    }

    /// <summary>Compares the bytes in place (the head is ASCII and has no repeated names): nothing is allocated.</summary>
    public bool HeaderEquals(string name, string value)
    {
        var i = IndexOf(name);
        if (i < 0) return false;
        ref var e = ref _head.Headers[i];
        return e.ValueLength == value.Length && Ascii.Equals(_buffer.AsSpan(e.ValueStart, e.ValueLength), value);
    }

    private int IndexOf(string name)
    {
        var headers = _head.Headers;
        for (var i = 0; i < _head.HeaderCount; i++)
        {
            ref var e = ref headers[i];
            if (e.NameLength == name.Length && Ascii.EqualsIgnoreCase(_buffer.AsSpan(e.NameStart, e.NameLength), name)) return i;
        }
        return -1;
    }

    public string? Query
    {
        get
        {
            var q = _head.TargetStart + _head.PathLength;
            var end = _head.TargetStart + _head.TargetLength;
            return q == end ? null : Encoding.ASCII.GetString(_buffer, q, end - q);
        }
    }

    public string Host
    {
        get
        {
            ref var e = ref _head.Headers[_head.HostIndex];
            return Encoding.ASCII.GetString(_buffer, e.ValueStart, e.ValueLength);
        }
    }

    public string? DecodedPath
    {
        get
        {
            var raw = _buffer.AsSpan(_head.TargetStart, _head.PathLength);
            return raw.IndexOf((byte)'%') >= 0 ? null : raw.Length == 0 ? "/" : Encoding.ASCII.GetString(raw);
        }
    }

    public string Method => Encoding.ASCII.GetString(_buffer, 0, _head.MethodLength);

    public string RawTarget => Encoding.ASCII.GetString(_buffer, _head.TargetStart, _head.TargetLength);

    public string Protocol
    {
        get
        {
            var version = _buffer.AsSpan(_head.TargetStart + _head.TargetLength + 1);
            return version.Length >= 8 && version[..8].SequenceEqual("HTTP/1.0"u8) ? "HTTP/1.0" : "HTTP/1.1";
        }
    }

    public void CollectHeaders(List<KeyValuePair<string, string>> into)
    {
        var headers = _head.Headers;
        for (var i = 0; i < _head.HeaderCount; i++)
        {
            ref var e = ref headers[i];
            into.Add(new(Encoding.ASCII.GetString(_buffer, e.NameStart, e.NameLength), Encoding.ASCII.GetString(_buffer, e.ValueStart, e.ValueLength)));
        }
    }
}
