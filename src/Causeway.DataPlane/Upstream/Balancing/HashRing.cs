namespace Causeway.DataPlane.Upstream.Balancing;

/// <summary>
/// A ketama-style consistent-hash ring over a backend's endpoints: 160 points per endpoint, placed by a hash of the
/// endpoint's address, so a key maps to the same endpoint while the endpoints do not change, and only the keys of an
/// endpoint that comes or goes move. Immutable.
/// </summary>
internal sealed class HashRing
{
    private const int PointsPerEndpoint = 160;
    private readonly ulong[] _points;
    private readonly int[] _endpoints;

    public HashRing(IReadOnlyList<string> endpoints)
    {
        var points = new List<(ulong Hash, int Endpoint)>(endpoints.Count * PointsPerEndpoint);
        for (var e = 0; e < endpoints.Count; e++)
            for (var p = 0; p < PointsPerEndpoint; p++)
                points.Add((Hash(endpoints[e] + "#" + p.ToString(System.Globalization.CultureInfo.InvariantCulture)), e));
        points.Sort((a, b) => a.Hash != b.Hash ? a.Hash.CompareTo(b.Hash) : a.Endpoint.CompareTo(b.Endpoint));
        _points = [.. points.Select(p => p.Hash)];
        _endpoints = [.. points.Select(p => p.Endpoint)];
    }

    /// <summary>The first endpoint clockwise from <paramref name="key"/> that is not ejected (the first one at all when every one is).</summary>
    public int Find(ulong key, EndpointBalancer? usable, long now)
    {
        if (_points.Length == 0) return -1;
        var i = Array.BinarySearch(_points, key);
        if (i < 0) i = ~i;
        var first = -1;
        for (var k = 0; k < _points.Length; k++)
        {
            var e = _endpoints[(i + k) % _points.Length];
            if (first < 0) first = e;
            if (usable is null || usable.Usable(e, now)) return e;
        }
        return first;
    }

    /// <summary>FNV-1a over the UTF-16 code units, then a 64-bit finaliser so that near keys land far apart.</summary>
    public static ulong Hash(ReadOnlySpan<char> text)
    {
        var h = 14695981039346656037UL;
        foreach (var c in text)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        return Mix(h);
    }

    public static ulong Hash(ReadOnlySpan<byte> bytes)
    {
        var h = 14695981039346656037UL;
        foreach (var b in bytes)
        {
            h ^= b;
            h *= 1099511628211UL;
        }
        return Mix(h);
    }

    private static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return h;
    }
}
