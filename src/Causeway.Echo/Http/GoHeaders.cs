namespace Causeway.Echo.Http;

/// <summary>Go's <c>textproto.CanonicalMIMEHeaderKey</c>.</summary>
internal static class GoHeaders
{
    public static string Canonical(string name)
    {
        foreach (var c in name)
        {
            if (!IsTokenChar(c))
            {
                return name; // Go leaves keys with invalid bytes untouched
            }
        }

        return string.Create(name.Length, name, static (span, src) =>
        {
            var upper = true;
            for (var i = 0; i < src.Length; i++)
            {
                var c = src[i];
                if (upper && c is >= 'a' and <= 'z')
                {
                    c = (char)(c - 32);
                }
                else if (!upper && c is >= 'A' and <= 'Z')
                {
                    c = (char)(c + 32);
                }

                span[i] = c;
                upper = c == '-';
            }
        });
    }

    private static bool IsTokenChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    /// <summary>Whether a comma separated header value list contains <paramref name="token"/> (case-insensitive).</summary>
    public static bool ContainsToken(IEnumerable<string> values, string token)
    {
        foreach (var value in values)
        {
            foreach (var part in value.Split(','))
            {
                if (part.Trim().Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
