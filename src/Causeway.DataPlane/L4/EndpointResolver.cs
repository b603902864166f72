using System.Net;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.L4;

/// <summary>
/// Turns an <see cref="EndpointIr"/> (normally an IP literal) into an <see cref="IPEndPoint"/>, or a Unix socket
/// endpoint into a <see cref="System.Net.Sockets.UnixDomainSocketEndPoint"/> (streams only).
/// </summary>
internal static class EndpointResolver
{
    public static async ValueTask<EndPoint?> ResolveStreamAsync(EndpointIr endpoint, CancellationToken ct) =>
        endpoint.Kind == EndpointKind.Unix
            ? new System.Net.Sockets.UnixDomainSocketEndPoint(endpoint.Address)
            : await ResolveAsync(endpoint, ct).ConfigureAwait(false);

    /// <summary>An IP endpoint; null for a Unix socket endpoint (datagrams go to IP endpoints only) or an unknown name.</summary>
    public static async ValueTask<IPEndPoint?> ResolveAsync(EndpointIr endpoint, CancellationToken ct)
    {
        if (endpoint.Kind == EndpointKind.Unix) return null;
        if (IPAddress.TryParse(endpoint.Address, out var ip)) return new IPEndPoint(ip, endpoint.Port);
        var addresses = await Dns.GetHostAddressesAsync(endpoint.Address, ct).ConfigureAwait(false);
        return addresses.Length == 0 ? null : new IPEndPoint(addresses[0], endpoint.Port);
    }
}
