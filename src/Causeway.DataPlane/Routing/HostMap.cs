namespace Causeway.DataPlane.Routing;

/// <summary>
/// Host name lookup: exact (case-insensitive) over the longest <c>*.suffix</c> wildcard (one or more labels) over the
/// catch-all. Built once; lookups take a span and allocate nothing. Exact names and wildcard suffixes share one
/// <see cref="SpanTable{T}"/> (tags 0 and 1), so a lookup reads a slot, the name's characters and the value.
/// </summary>
internal sealed class HostMap<T> where T : class
{
    private const int Exact = 0;
    private const int Wildcard = 1;

    private SpanTable<T> _table = new(ignoreCase: true);
    private int _exactCount;
    private int _wildcardCount;
    private T? _any;

    public int Count => _exactCount + _wildcardCount + (_any is null ? 0 : 1);

    /// <summary>Adds an entry; null or <c>*</c> is the catch-all. The first entry for a name wins.</summary>
    public void Add(string? hostname, T value)
    {
        if (hostname is null || hostname == "*")
            _any ??= value;
        else if (hostname.StartsWith("*.", StringComparison.Ordinal))
        {
            if (_table.TryAdd(Wildcard, hostname.AsSpan(1), value)) _wildcardCount++;
        }
        else if (_table.TryAdd(Exact, hostname.AsSpan().TrimEnd('.'), value))
            _exactCount++;
    }

    /// <summary>The entry added for exactly this name or pattern (as given to <see cref="Add"/>), not a lookup.</summary>
    public T? Entry(string? hostname)
    {
        if (hostname is null || hostname == "*") return _any;
        if (hostname.StartsWith("*.", StringComparison.Ordinal))
            return _table.TryGetValue(Wildcard, hostname.AsSpan(1), out var w) ? w : null;
        return _table.TryGetValue(Exact, hostname.AsSpan().TrimEnd('.'), out var e) ? e : null;
    }

    public T? Find(ReadOnlySpan<char> host)
    {
        if (host.Length > 0 && host[^1] == '.') host = host[..^1];
        if (_exactCount > 0 && _table.TryGetValue(Exact, host, out var v)) return v;
        if (_wildcardCount > 0)
        {
            for (var i = 1; i < host.Length; i++)
            {
                if (host[i] == '.' && _table.TryGetValue(Wildcard, host[i..], out v)) return v;
            }
        }
        return _any;
    }

    /// <summary>Strips the port from a Host header value (<c>name:port</c>, <c>[v6]:port</c>).</summary>
    public static ReadOnlySpan<char> StripPort(ReadOnlySpan<char> host)
    {
        if (host.Length == 0) return host;
        if (host[0] == '[')
        {
            var close = host.IndexOf(']');
            return close > 0 ? host[..(close + 1)] : host;
        }
        var colon = host.LastIndexOf(':');
        return colon >= 0 ? host[..colon] : host;
    }
}
