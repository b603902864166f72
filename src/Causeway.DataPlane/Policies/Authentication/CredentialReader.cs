using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.Authentication;

/// <summary>Reads a credential (API key, JWT) from a header (after its value prefix), a query parameter or a cookie.</summary>
internal static class CredentialReader
{
    public static string? Read<TRequest>(in TRequest request, CredentialSourceIr source) where TRequest : struct, IRequestView
    {
        switch (source.Kind)
        {
            case CredentialSourceKind.Header:
                if (!request.TryGetHeader(source.Name, out var values) || values.Count == 0) return null;
                var value = values[0] ?? "";
                if (source.Prefix is { Length: > 0 } prefix)
                {
                    if (!value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return null;
                    value = value[prefix.Length..];
                }
                value = value.Trim();
                return value.Length == 0 ? null : value;
            case CredentialSourceKind.Param:
                return Param(request.Query, source.Name);
            case CredentialSourceKind.Cookie:
                return request.TryGetHeader("Cookie", out var cookies) ? Cookie(string.Join("; ", cookies.ToArray()), source.Name) : null;
            default:
                return null;
        }
    }

    /// <summary>The first value of query parameter <paramref name="name"/>, percent-decoded, or null.</summary>
    public static string? Param(string? query, string name)
    {
        if (string.IsNullOrEmpty(query)) return null;
        foreach (var part in query.TrimStart('?').Split('&'))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? part : part[..eq];
            if (!string.Equals(Uri.UnescapeDataString(key.Replace('+', ' ')), name, StringComparison.Ordinal)) continue;
            var v = eq < 0 ? "" : Uri.UnescapeDataString(part[(eq + 1)..].Replace('+', ' '));
            return v.Length == 0 ? null : v;
        }
        return null;
    }

    /// <summary>The value of cookie <paramref name="name"/> in a Cookie header, or null.</summary>
    public static string? Cookie(string header, string name)
    {
        foreach (var part in header.Split(';'))
        {
            var p = part.Trim();
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !string.Equals(p[..eq], name, StringComparison.Ordinal)) continue;
            var v = p[(eq + 1)..].Trim('"');
            return v.Length == 0 ? null : v;
        }
        return null;
    }

    /// <summary>The Cookie header without cookie <paramref name="name"/> (null when nothing is left).</summary>
    public static string? WithoutCookie(string header, string name)
    {
        var kept = header.Split(';').Select(p => p.Trim()).Where(p => p.Length > 0 && !p.StartsWith(name + "=", StringComparison.Ordinal)).ToArray();
        return kept.Length == 0 ? null : string.Join("; ", kept);
    }

    /// <summary>Whether <paramref name="value"/> can go into a header line as is (no control characters).</summary>
    public static bool IsHeaderSafe(string value)
    {
        foreach (var c in value)
            if (c < ' ' || c == '\x7f') return false;
        return true;
    }
}
