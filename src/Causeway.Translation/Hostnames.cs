namespace Causeway.Translation;

/// <summary>Gateway API hostname semantics: exact names and <c>*.</c> wildcards (which match one or more labels).</summary>
public static class Hostnames
{
    /// <summary>True when the concrete or wildcard <paramref name="host"/> is matched by <paramref name="pattern"/>.</summary>
    public static bool Covers(string pattern, string host)
    {
        if (pattern == "*") return true;
        if (!pattern.StartsWith("*.", StringComparison.Ordinal))
            return string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase);
        var suffix = pattern.AsSpan(1); // ".example.com"
        if (host.StartsWith("*.", StringComparison.Ordinal))
            return host.Length >= pattern.Length && host.AsSpan(1).EndsWith(suffix, StringComparison.OrdinalIgnoreCase);
        return host.Length > suffix.Length && host.AsSpan().EndsWith(suffix, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The hostnames a route serves on a listener: the intersection of the listener's hostname (null = any) and the
    /// route's (empty = any). Returns null when they do not intersect; ["*"] when both are unrestricted.
    /// </summary>
    public static IReadOnlyList<string>? Intersect(string? listenerHostname, IReadOnlyList<string> routeHostnames)
    {
        if (routeHostnames.Count == 0)
            return [listenerHostname ?? "*"];
        var result = new List<string>(routeHostnames.Count);
        foreach (var raw in routeHostnames)
        {
            var h = raw.ToLowerInvariant();
            if (listenerHostname is null || Covers(listenerHostname, h)) AddDistinct(result, h); // route is the narrower (or equal)
            else if (Covers(h, listenerHostname)) AddDistinct(result, listenerHostname.ToLowerInvariant()); // listener is narrower
        }
        return result.Count == 0 ? null : result;
    }

    /// <summary>Adds unless present (first occurrence wins, as Distinct does); route hostname lists are short (at most 16).</summary>
    private static void AddDistinct(List<string> list, string value)
    {
        foreach (var x in list)
            if (string.Equals(x, value, StringComparison.Ordinal)) return;
        list.Add(value);
    }

    /// <summary>Sort key: exact names first, then wildcards by length (longer = more specific), then "*".</summary>
    public static int Specificity(string pattern) =>
        pattern == "*" ? 0 : pattern.StartsWith("*.", StringComparison.Ordinal) ? 1 + pattern.Length : 100_000 + pattern.Length;
}
