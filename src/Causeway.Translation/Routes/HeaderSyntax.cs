namespace Causeway.Translation.Routes;

/// <summary>What may go onto the wire as a header name, header value or hostname.</summary>
internal static class HeaderSyntax
{
    /// <summary>An RFC 7230 token: one or more of ALPHA, DIGIT and <c>!#$%&amp;'*+-.^_`|~</c>.</summary>
    public static bool IsToken(string s)
    {
        if (s.Length == 0) return false;
        foreach (var c in s)
            if (!(char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal))) return false;
        return true;
    }

    /// <summary>The first control character (C0 other than HTAB, or DEL) of <paramref name="s"/>, or null.</summary>
    public static char? ControlCharacter(string s)
    {
        foreach (var c in s)
            if ((c < ' ' && c != '\t') || c == '\x7f') return c;
        return null;
    }

    /// <summary>A precise DNS name as Gateway API has it: lower-case labels of letters, digits and inner hyphens.</summary>
    public static bool IsHostname(string s)
    {
        if (s.Length is 0 or > 253) return false;
        foreach (var label in s.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-') return false;
            foreach (var c in label)
                if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')) return false;
        }
        return true;
    }
}
