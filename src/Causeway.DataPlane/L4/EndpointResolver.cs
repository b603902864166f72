using System.Net;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.L4;

/// <summary>Turns an <see cref="EndpointIr"/> (normally an IP literal) into an <see cref="IPEndPoint"/>.</summary>
internal static class EndpointResolver
{
    public static async ValueTask<IPEndPoint?> ResolveAsync(EndpointIr endpoint, CancellationToken ct)
    {
        if (IPAddress.TryParse(endpoint.Address, out var ip)) return new IPEndPoint(ip, endpoint.Port);
        var addresses = await Dns.GetHostAddressesAsync(endpoint.Address, ct).ConfigureAwait(false);
        return addresses.Length == 0 ? null : new IPEndPoint(addresses[0], endpoint.Port);
    }
}
