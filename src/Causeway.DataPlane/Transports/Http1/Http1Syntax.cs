using System.Buffers;
using System.Text;

namespace Causeway.DataPlane.Transports.Http1;

/// <summary>A header classification that can also say "not for the fast path".</summary>
internal enum HeaderKindOrHandOff : byte
{
    Forward = HeaderKind.Forward,
    Skip = HeaderKind.Skip,
    Host = HeaderKind.Host,
    ContentLength = HeaderKind.ContentLength,
    Connection = HeaderKind.Connection,
    XForwardedFor = HeaderKind.XForwardedFor,
    HandOff = 255,
}

/// <summary>Byte classes and header names the fast path's parsers share.</summary>
internal static class Http1Syntax
{
    /// <summary>Bytes allowed anywhere in a head: visible ASCII, SP, HTAB, CR, LF.</summary>
    public static readonly SearchValues<byte> HeadBytes = SearchValues.Create(Encoding.ASCII.GetBytes(Range(0x20, 0x7E) + "\t\r\n"));

    /// <summary>RFC 9110 token characters (header names).</summary>
    public static readonly SearchValues<byte> TokenBytes = SearchValues.Create(Encoding.ASCII.GetBytes(Alnum + "!#$%&'*+-.^_`|~"));

    /// <summary>Path characters that Kestrel leaves as they are and that need no escaping on the way out.</summary>
    public static readonly SearchValues<byte> PathBytes = SearchValues.Create(Encoding.ASCII.GetBytes(Alnum + "-._~!$&'()*+,;=:@/"));

    /// <summary>Query characters passed on verbatim (percent-escapes checked separately).</summary>
    public static readonly SearchValues<byte> QueryBytes = SearchValues.Create(Encoding.ASCII.GetBytes(Alnum + "-._~!$&'()*+,;=:@/?%"));

    public static readonly SearchValues<byte> HostBytes = SearchValues.Create(Encoding.ASCII.GetBytes(Alnum + "-._:[]"));

    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private static string Range(int first, int last)
    {
        var chars = new char[last - first + 1];
        for (var i = 0; i < chars.Length; i++) chars[i] = (char)(first + i);
        return new string(chars);
    }

    /// <summary>Visible query characters, each '%' followed by two hex digits.</summary>
    public static bool IsSimpleQuery(ReadOnlySpan<byte> query)
    {
        if (query.IndexOfAnyExcept(QueryBytes) >= 0) return false;
        for (var i = query.IndexOf((byte)'%'); i >= 0;)
        {
            if (i + 2 >= query.Length || !char.IsAsciiHexDigit((char)query[i + 1]) || !char.IsAsciiHexDigit((char)query[i + 2])) return false;
            var next = query[(i + 3)..].IndexOf((byte)'%');
            i = next < 0 ? -1 : i + 3 + next;
        }
        return true;
    }

    /// <summary>
    /// What the relay does with a request header: hop-by-hop and proxy headers that YARP drops are skipped,
    /// X-Forwarded-Proto/Host are replaced, framing and protocol-switching headers hand the request off.
    /// </summary>
    public static HeaderKindOrHandOff Classify(ReadOnlySpan<byte> name)
    {
        switch (name.Length)
        {
            case 2:
                if (Is(name, "te")) return HeaderKindOrHandOff.Skip;
                break;
            case 4:
                if (Is(name, "host")) return HeaderKindOrHandOff.Host;
                if (Is(name, "alpn")) return HeaderKindOrHandOff.Skip;
                break;
            case 5:
                if (Is(name, "close")) return HeaderKindOrHandOff.Skip;
                break;
            case 6:
                if (Is(name, "expect")) return HeaderKindOrHandOff.HandOff;
                break;
            case 7:
                if (Is(name, "upgrade")) return HeaderKindOrHandOff.HandOff;
                if (Is(name, "alt-svc")) return HeaderKindOrHandOff.Skip;
                break;
            case 10:
                if (Is(name, "connection")) return HeaderKindOrHandOff.Connection;
                if (Is(name, "keep-alive")) return HeaderKindOrHandOff.Skip;
                break;
            case 14:
                if (Is(name, "content-length")) return HeaderKindOrHandOff.ContentLength;
                if (Is(name, "proxy-features")) return HeaderKindOrHandOff.Skip;
                break;
            case 15:
                if (Is(name, "security-scheme")) return HeaderKindOrHandOff.Skip;
                if (Is(name, "x-forwarded-for")) return HeaderKindOrHandOff.XForwardedFor;
                break;
            case 16:
                if (Is(name, "proxy-connection")) return HeaderKindOrHandOff.Skip;
                if (Is(name, "x-forwarded-host")) return HeaderKindOrHandOff.Skip;
                break;
            case 17:
                if (Is(name, "transfer-encoding")) return HeaderKindOrHandOff.HandOff;
                if (Is(name, "proxy-instruction")) return HeaderKindOrHandOff.Skip;
                if (Is(name, "x-forwarded-proto")) return HeaderKindOrHandOff.Skip;
                break;
            case 18:
                if (Is(name, "proxy-authenticate")) return HeaderKindOrHandOff.Skip;
                break;
            case 19:
                if (Is(name, "proxy-authorization")) return HeaderKindOrHandOff.Skip;
                break;
            case 23:
                // Sanitized unless the listener's ClientTrafficPolicy keeps it (Http1Exchange.ClientPolicy).
                if (Is(name, "x-forwarded-client-cert")) return HeaderKindOrHandOff.Skip;
                break;
            case 25:
                if (Is(name, "proxy-authentication-info")) return HeaderKindOrHandOff.Skip;
                break;
        }
        return HeaderKindOrHandOff.Forward;
    }

    /// <summary>Response headers YARP does not copy to the client (its hop-by-hop and proxy list).</summary>
    public static bool IsSkippedResponseHeader(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 => Is(name, "te"),
        4 => Is(name, "alpn"),
        5 => Is(name, "close"),
        7 => Is(name, "upgrade") || Is(name, "alt-svc"),
        10 => Is(name, "connection") || Is(name, "keep-alive"),
        14 => Is(name, "proxy-features"),
        15 => Is(name, "security-scheme"),
        16 => Is(name, "proxy-connection"),
        17 => Is(name, "transfer-encoding") || Is(name, "proxy-instruction"),
        18 => Is(name, "proxy-authenticate"),
        19 => Is(name, "proxy-authorization"),
        25 => Is(name, "proxy-authentication-info"),
        _ => false,
    };

    /// <summary>Whether a configured header name is one the relay manages itself (edits on it are not fast-path eligible).</summary>
    public static bool IsManagedName(string name)
    {
        var bytes = Encoding.ASCII.GetBytes(name);
        if (name.Length == 0 || Encoding.ASCII.GetString(bytes) != name) return true;
        return IsManagedName(bytes);
    }

    /// <inheritdoc cref="IsManagedName(string)"/>
    public static bool IsManagedName(ReadOnlySpan<byte> name) =>
        Classify(name) != HeaderKindOrHandOff.Forward || IsSkippedResponseHeader(name)
            || Is(name, "trailer") || Is(name, "date") || Is(name, "server") || Is(name, "content-length");

    public static bool Is(ReadOnlySpan<byte> name, string lower) => Ascii.EqualsIgnoreCase(name, lower);
}
