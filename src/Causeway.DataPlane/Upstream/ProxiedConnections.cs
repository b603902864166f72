using System.Globalization;
using System.Net;
using System.Text;
using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Causeway.DataPlane.Upstream;

/// <summary>
/// BackendTrafficPolicy <c>proxyProtocol</c> on the Kestrel + YARP transport. A PROXY header describes one client
/// connection, so a backend connection that began with one may only carry that client connection's requests (Envoy
/// keys such pools by the downstream connection's addresses). SocketsHttpHandler keys its pools by authority, so the
/// destination prefix of such a request names the endpoint and the client connection
/// (<c>i0a000001.c0hn....pp.causeway.invalid:8080</c>, a name that never resolves): each client connection gets its
/// own pools, which the handler drops once idle. The request carries the header in its options, and the invoker's
/// <see cref="SocketsHttpHandler.ConnectCallback"/> (<see cref="BackendConnector"/>) connects to the endpoint the
/// name encodes and writes the header first. Rules without the field use the plain prefixes and pay nothing.
/// </summary>
internal static class ProxiedConnections
{
    private const string Suffix = ".pp.causeway.invalid";

    /// <summary>The request option holding the client connection's PROXY header.</summary>
    public static readonly HttpRequestOptionsKey<byte[]> HeaderKey = new("causeway.proxy-header");

    /// <summary>What a client connection keeps: its header (per version) and its last prefix mapping, each swapped whole.</summary>
    private sealed class ConnectionState
    {
        public volatile MadeHeader? Header;
        public volatile PrefixMapping? Mapping;
    }

    private sealed record MadeHeader(BackendProxyProtocolVersion Version, byte[] Bytes);

    private sealed record PrefixMapping(string Prefix, string Proxied);

    /// <summary>The connection's state, made once (HTTP/2 streams of one connection run at once: the items are locked).</summary>
    private static ConnectionState? State(HttpContext context)
    {
        if (context.Features.Get<IConnectionItemsFeature>()?.Items is not { } items) return null;
        lock (items)
        {
            if (items.TryGetValue(typeof(ConnectionState), out var o) && o is ConnectionState state) return state;
            var made = new ConnectionState();
            items[typeof(ConnectionState)] = made;
            return made;
        }
    }

    /// <summary>
    /// The PROXY header of <paramref name="context"/>'s connection: source the connection's client (the peer, or what
    /// the client's own PROXY header named — not an address detected from X-Forwarded-For, as Envoy takes the
    /// downstream connection's address), destination the gateway address it connected to. Made once per connection.
    /// </summary>
    public static byte[] Header(HttpContext context, BackendProxyProtocolVersion version)
    {
        var state = State(context);
        if (state?.Header is { } h && h.Version == version) return h.Bytes;
        var connection = context.Connection;
        EndPoint? source = connection.RemoteIpAddress is { } ra ? new IPEndPoint(ra, connection.RemotePort) : null;
        EndPoint? destination = connection.LocalIpAddress is { } la ? new IPEndPoint(la, connection.LocalPort) : null;
        var header = Transports.ProxyProtocol.ProxyHeaderWriter.Build(version, source, destination);
        if (state is not null) state.Header = new MadeHeader(version, header);
        return header;
    }

    /// <summary>The destination prefix standing for endpoint <paramref name="prefix"/> and <paramref name="context"/>'s connection (the last one kept per connection).</summary>
    public static string Prefix(HttpContext context, string prefix)
    {
        var state = State(context);
        if (state?.Mapping is { } m && ReferenceEquals(m.Prefix, prefix)) return m.Proxied;
        var proxied = Prefix(prefix, context.Connection.Id);
        if (state is not null) state.Mapping = new PrefixMapping(prefix, proxied);
        return proxied;
    }

    /// <summary>The destination prefix standing for endpoint <paramref name="prefix"/> and client connection <paramref name="connectionId"/>.</summary>
    public static string Prefix(string prefix, string connectionId)
    {
        var uri = new Uri(prefix);
        var host = uri.Host.Trim('[', ']');
        var label = IPAddress.TryParse(host, out var ip)
            ? "i" + Convert.ToHexStringLower(ip.GetAddressBytes())
            : "n" + Convert.ToHexStringLower(Encoding.UTF8.GetBytes(host));
        var client = new StringBuilder(connectionId.Length);
        foreach (var ch in connectionId) client.Append(char.IsAsciiLetterOrDigit(ch) ? char.ToLowerInvariant(ch) : '-');
        return uri.Scheme + "://" + label + ".c" + client + Suffix + ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The endpoint a pool authority made by <see cref="Prefix"/> stands for (any other is returned as it is).</summary>
    public static DnsEndPoint Target(DnsEndPoint pooled)
    {
        var host = pooled.Host;
        if (!host.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase)) return pooled;
        var dot = host.IndexOf('.', StringComparison.Ordinal);
        if (dot < 2) return pooled;
        var bytes = Convert.FromHexString(host.AsSpan(1, dot - 1));
        var real = host[0] == 'i' ? new IPAddress(bytes).ToString() : Encoding.UTF8.GetString(bytes);
        return new DnsEndPoint(real, pooled.Port);
    }
}
