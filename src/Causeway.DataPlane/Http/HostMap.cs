namespace Causeway.DataPlane.Http;

/// <summary>
/// Host name lookup: exact (case-insensitive) over the longest <c>*.suffix</c> wildcard (one or more labels) over the
/// catch-all. Built once; lookups take a span and allocate nothing.
/// </summary>
internal sealed class HostMap<T> where T : class
{
    private readonly Dictionary<string, T> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, T> _wildcard = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, T>.AlternateLookup<ReadOnlySpan<char>> _exactLookup;
    private readonly Dictionary<string, T>.AlternateLookup<ReadOnlySpan<char>> _wildcardLookup;
    private T? _any;

    public HostMap()
    {
        _exactLookup = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcardLookup = _wildcard.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _exact.Count + _wildcard.Count + (_any is null ? 0 : 1);

    /// <summary>Adds an entry; null or <c>*</c> is the catch-all. The first entry for a name wins.</summary>
    public void Add(string? hostname, T value)
    {
        if (hostname is null || hostname == "*")
            _any ??= value;
        else if (hostname.StartsWith("*.", StringComparison.Ordinal))
            _wildcard.TryAdd(hostname[1..], value);
        else
            _exact.TryAdd(new string(hostname.AsSpan().TrimEnd('.')), value); // a copy: the keys a lookup compares live together
    }

    public T? Find(ReadOnlySpan<char> host)
    {
        if (host.Length > 0 && host[^1] == '.') host = host[..^1];
        if (_exact.Count > 0 && _exactLookup.TryGetValue(host, out var v)) return v;
        if (_wildcard.Count > 0)
        {
            for (var i = 1; i < host.Length; i++)
            {
                if (host[i] == '.' && _wildcardLookup.TryGetValue(host[i..], out v)) return v;
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
