using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Causeway.DataPlane.Upstream;

/// <summary>
/// X-Forwarded-For / -Proto / -Host as the backend gets them, defined once: the client's address appended to any
/// X-Forwarded-For the client sent (", " between), the scheme of the port the request came in on, and the Host the
/// client asked for (none when empty: a URL rewrite with <c>appendXForwardedHost: false</c>); a client's own X-Forwarded-Proto and -Host are replaced. Two serialisations of the same rule:
/// YARP's request headers (Kestrel transport) and the byte head (HTTP/1.1 transports).
/// </summary>
internal static class ForwardedHeaders
{
    public const string For = "X-Forwarded-For";
    public const string Proto = "X-Forwarded-Proto";
    public const string Host = "X-Forwarded-Host";

    /// <summary>IPv4-mapped IPv6 addresses as IPv4 (how addresses are written and sent on).</summary>
    public static IPAddress Unmapped(IPAddress ip) => ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip;

    /// <summary>The client address as appended (IPv4-mapped IPv6 addresses as IPv4).</summary>
    public static string ClientAddress(IPAddress ip) => Unmapped(ip).ToString();

    /// <summary>The client address as ASCII bytes; empty when unknown.</summary>
    public static byte[] ClientAddressBytes(IPAddress? ip)
    {
        if (ip is null) return [];
        ip = Unmapped(ip);
        Span<byte> text = stackalloc byte[64]; // the longest IPv6 text with a scope is under 64 bytes
        return ip.TryFormat(text, out var n) ? text[..n].ToArray() : Encoding.ASCII.GetBytes(ip.ToString()); // once per connection, no string
    }

    /// <summary>The Kestrel transport: on the request YARP sends.</summary>
    public static void Write(HttpRequestHeaders headers, string? clientFor, IPAddress? client, string scheme, string? host)
    {
        if (client is not null)
        {
            headers.Remove(For);
            var address = ClientAddress(client);
            headers.TryAddWithoutValidation(For, string.IsNullOrEmpty(clientFor) ? address : clientFor + ", " + address);
        }
        headers.Remove(Proto);
        headers.TryAddWithoutValidation(Proto, scheme);
        headers.Remove(Host);
        if (!string.IsNullOrEmpty(host)) headers.TryAddWithoutValidation(Host, host);
    }

    /// <summary>
    /// The Kestrel transport's direct HTTP/1.1 upstream (<see cref="Transports.Kestrel.Http1Upstream.Http1Forwarder"/>):
    /// the same headers as <see cref="Write(HttpRequestHeaders, string?, IPAddress?, string, string?)"/> gives YARP,
    /// appended to the head (the client's X-Forwarded-Proto and -Host, and its X-Forwarded-For when a client address
    /// is appended, were not copied).
    /// </summary>
    public static void Write(Transports.Http1.ByteBuilder o, string? clientFor, IPAddress? client, string scheme, string? host)
    {
        if (client is not null)
        {
            o.Append("X-Forwarded-For: "u8);
            if (!string.IsNullOrEmpty(clientFor))
            {
                o.AppendText(clientFor);
                o.Append(", "u8);
            }
            o.AppendText(ClientAddress(client));
            o.Append("\r\n"u8);
        }
        o.Append("X-Forwarded-Proto: "u8);
        o.AppendText(scheme);
        o.Append("\r\n"u8);
        if (string.IsNullOrEmpty(host)) return;
        o.Append("X-Forwarded-Host: "u8);
        o.AppendText(host);
        o.Append("\r\n"u8);
    }

    /// <summary>The HTTP/1.1 byte transports: appended to the forwarded head (the client's own lines were not copied).</summary>
    /// <param name="clientFor">The client's X-Forwarded-For value, or empty with <paramref name="hasClientFor"/> false.</param>
    /// <param name="client">The client address (<see cref="ClientAddressBytes"/>), or null when unknown.</param>
    public static void Write(Transports.Http1.ByteBuilder o, bool hasClientFor, ReadOnlySpan<byte> clientFor, byte[]? client, bool tls, ReadOnlySpan<byte> host)
    {
        if (client is not null || hasClientFor)
        {
            o.Append("X-Forwarded-For: "u8);
            if (hasClientFor)
            {
                o.Append(clientFor);
                if (client is not null) o.Append(", "u8);
            }
            if (client is not null) o.Append(client);
            o.Append("\r\n"u8);
        }
        o.Append(tls ? "X-Forwarded-Proto: https\r\n"u8 : "X-Forwarded-Proto: http\r\n"u8);
        if (host.IsEmpty) return;
        o.Append("X-Forwarded-Host: "u8);
        o.Append(host);
        o.Append("\r\n"u8);
    }
}
