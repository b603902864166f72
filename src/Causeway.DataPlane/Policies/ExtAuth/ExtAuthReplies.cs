using Causeway.DataPlane.Pipeline;

namespace Causeway.DataPlane.Policies.ExtAuth;

/// <summary>
/// Turns what an authorization service answered into what the client or the backend gets, keeping out what would
/// break the exchange: hop-by-hop and framing headers, names that are not tokens, values with control characters.
/// </summary>
internal static class ExtAuthReplies
{
    /// <summary>Headers a denial never copies: framing and connection management belong to the gateway's writer.</summary>
    private static readonly HashSet<string> NotCopied = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection", "upgrade", "te", "trailer",
        "host", "date", "server",
    };

    /// <summary>Headers an allowing answer may not set or remove on the request (the request would be malformed).</summary>
    private static readonly HashSet<string> NotEditable = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection", "upgrade", "te", "trailer",
    };

    public static LocalReply Denial(int status, IEnumerable<KeyValuePair<string, string>> headers, byte[]? body)
    {
        string? contentType = null;
        var copied = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in headers)
        {
            if (name.Length == 0 || name[0] == ':' || NotCopied.Contains(name) || !IsToken(name) || !IsValue(value)) continue;
            if (string.Equals(name, "content-type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = value;
                continue;
            }
            copied.Add(new(name, value));
        }
        var reply = new LocalReply(status) { Body = body ?? ReadOnlyMemory<byte>.Empty, ContentType = contentType };
        reply.Headers.AddRange(copied);
        return reply;
    }

    /// <summary>Whether an allowing answer may set, append or remove <paramref name="name"/> with <paramref name="value"/>.</summary>
    public static bool Editable(string name, string? value) =>
        name.Length > 0 && name[0] != ':' && !NotEditable.Contains(name) && IsToken(name) && (value is null || IsValue(value));

    public static bool IsToken(string s)
    {
        if (s.Length == 0) return false;
        foreach (var c in s)
        {
            if (c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9') continue;
            if ("!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)) continue;
            return false;
        }
        return true;
    }

    /// <summary>Visible ASCII, spaces and tabs (no CR, LF or other control characters: no header injection).</summary>
    public static bool IsValue(string s)
    {
        foreach (var c in s)
            if (c is < ' ' and not '\t' or (char)127 or > '\u00ff') return false;
        return true;
    }
}
