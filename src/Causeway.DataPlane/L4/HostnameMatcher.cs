namespace Causeway.DataPlane.L4;

/// <summary>Gateway API hostname matching: exact names and <c>*.suffix</c> wildcards (one or more labels).</summary>
internal static class HostnameMatcher
{
    /// <summary>No match.</summary>
    public const int NoMatch = -1;

    /// <summary>
    /// How well <paramref name="pattern"/> matches <paramref name="host"/> (both lower-case): <see cref="NoMatch"/>,
    /// <see cref="int.MaxValue"/> for an exact match, the pattern length for a wildcard (longer = more specific),
    /// 1 for the <c>*</c> catch-all.
    /// </summary>
    public static int Score(string pattern, string? host)
    {
        if (host is null) return NoMatch;
        if (pattern == "*") return 1;
        if (pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            var suffix = pattern.AsSpan(1); // ".example.com"
            return host.Length > suffix.Length && host.AsSpan().EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                ? pattern.Length
                : NoMatch;
        }
        return string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase) ? int.MaxValue : NoMatch;
    }

    /// <summary>Normalises an SNI / configured hostname: lower case, no trailing dot.</summary>
    public static string Normalize(string host)
    {
        var h = host.EndsWith('.') ? host[..^1] : host;
        return h.ToLowerInvariant();
    }
}
