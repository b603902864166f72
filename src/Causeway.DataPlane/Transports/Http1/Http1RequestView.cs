using System.Text;
using Microsoft.Extensions.Primitives;

namespace Causeway.DataPlane.Transports.Http1;

/// <summary>
/// A parsed fast-path request head as the route matcher sees it (strings only made for header/query conditions), with
/// the listener's early header edits when it has some (ClientTrafficPolicy <c>earlyRequestHeaders</c>): removed lines
/// are gone and added lines are there, as the backend will get them.
/// </summary>
internal readonly struct Http1RequestView : IRequestView
{
    private readonly Http1RequestHead _head;
    private readonly byte[] _buffer;
    private readonly Http1EditState? _edits;

    /// <param name="edits">The early edits made to the head (active), or null: the head as parsed.</param>
    public Http1RequestView(Http1RequestHead head, byte[] buffer, Http1EditState? edits = null)
    {
        _head = head;
        _buffer = buffer;
        _edits = edits is { Active: true } ? edits : null;
    }

    public bool MethodIs(string method)
    {
        var m = _buffer.AsSpan(0, _head.MethodLength);
        return m.Length == method.Length && Ascii.Equals(m, method);
    }

    public bool TryGetHeader(string name, out StringValues values)
    {
        if (_edits is not null && Added(name) is { } added)
        {
            values = Encoding.ASCII.GetString(added);
            return true;
        }
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
        if (_edits is not null && Added(name) is { } added) return added.Length == value.Length && Ascii.Equals(added, value);
        var i = IndexOf(name);
        if (i < 0) return false;
        ref var e = ref _head.Headers[i];
        return e.ValueLength == value.Length && Ascii.Equals(_buffer.AsSpan(e.ValueStart, e.ValueLength), value);
    }

    private int IndexOf(string name)
    {
        var headers = _head.Headers;
        var removed = _edits?.Removed;
        for (var i = 0; i < _head.HeaderCount; i++)
        {
            ref var e = ref headers[i];
            if (e.NameLength == name.Length && Ascii.EqualsIgnoreCase(_buffer.AsSpan(e.NameStart, e.NameLength), name)
                && (removed is null || !removed[i])) return i;
        }
        return -1;
    }

    /// <summary>The value of a line the early edits added (at most one per name: every edit replaces the name's lines).</summary>
    private byte[]? Added(string name)
    {
        foreach (var (n, v) in _edits!.Added)
            if (n.Length == name.Length && Ascii.EqualsIgnoreCase(n, name)) return v;
        return null;
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

    public string Protocol => _head.Protocol;

    public void CollectHeaders(List<KeyValuePair<string, string>> into)
    {
        var headers = _head.Headers;
        var removed = _edits?.Removed;
        for (var i = 0; i < _head.HeaderCount; i++)
        {
            ref var e = ref headers[i];
            if (removed is not null && removed[i]) continue;
            into.Add(new(Encoding.ASCII.GetString(_buffer, e.NameStart, e.NameLength), Encoding.ASCII.GetString(_buffer, e.ValueStart, e.ValueLength)));
        }
        if (_edits is null) return;
        foreach (var (n, v) in _edits.Added) into.Add(new(Encoding.ASCII.GetString(n), Encoding.ASCII.GetString(v)));
    }
}
