using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Causeway.Model.Schema;

/// <summary>String formats as validated by the Kubernetes API server (Go <c>net.ParseIP</c> semantics).</summary>
internal static class Formats
{
    public static bool IsIPv4(string s)
    {
        var parts = s.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || (part.Length > 1 && part[0] == '0'))
            {
                return false;
            }

            if (int.Parse(part, CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsIPv6(string s) =>
        s.Contains(':') && !s.Contains('%') && !s.Contains('[') &&
        IPAddress.TryParse(s, out var a) && a.AddressFamily == AddressFamily.InterNetworkV6 &&
        (!s.Contains('.') || IsIPv4(s[(s.LastIndexOf(':') + 1)..]));

    public static bool IsIP(string s) => IsIPv4(s) || IsIPv6(s);

    public static bool IsCidr(string s)
    {
        var slash = s.IndexOf('/');
        if (slash < 0 || !int.TryParse(s.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var bits))
        {
            return false;
        }

        var ip = s[..slash];
        return (IsIPv4(ip) && bits <= 32) || (IsIPv6(ip) && bits <= 128);
    }

    public static bool IsDateTime(string s) =>
        DateTimeOffset.TryParseExact(
            s,
            ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"],
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal,
            out _);

    /// <summary>Checks a value against a named format; unknown formats pass (as in the API server).</summary>
    public static bool Check(string format, string value) => format switch
    {
        "ipv4" => IsIPv4(value),
        "ipv6" => IsIPv6(value),
        "cidr" => IsCidr(value),
        "date-time" => IsDateTime(value),
        "hostname" => value.Length <= 253 && value.Split('.').All(l => l.Length is > 0 and <= 63 && l.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '-') && l[0] != '-' && l[^1] != '-'),
        "uri" => Uri.TryCreate(value, UriKind.Absolute, out _),
        _ => true,
    };
}
