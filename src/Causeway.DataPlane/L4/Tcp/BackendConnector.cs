using System.Net.Sockets;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.L4.Tcp;

/// <summary>Opens a TCP connection to one of a backend's endpoints (round-robin, bounded attempts, each with a timeout).</summary>
internal static class BackendConnector
{
    public static async Task<Socket?> ConnectAsync(
        L4RouteTable table, BackendIr backend, L4ServerOptions options, ILogger logger, CancellationToken ct)
    {
        var attempts = Math.Min(options.MaxConnectAttempts, backend.Endpoints.Count);
        for (var i = 0; i < attempts; i++)
        {
            var endpoint = table.NextEndpoint(backend);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.ConnectTimeout);
            Socket? socket = null;
            try
            {
                var target = await EndpointResolver.ResolveStreamAsync(endpoint, timeout.Token).ConfigureAwait(false);
                if (target is null) continue;
                var unix = target.AddressFamily == AddressFamily.Unix;
                socket = new Socket(target.AddressFamily, SocketType.Stream, unix ? ProtocolType.Unspecified : ProtocolType.Tcp);
                if (!unix) socket.NoDelay = true;
                await socket.ConnectAsync(target, timeout.Token).ConfigureAwait(false);
                return socket;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                socket?.Dispose();
                logger.LogDebug("Connecting to {Backend} endpoint {Address}:{Port} failed: {Error}",
                    backend.Id, endpoint.Address, endpoint.Port, e is OperationCanceledException ? "timeout" : e.Message);
            }
            catch
            {
                socket?.Dispose();
                throw;
            }
        }
        return null;
    }
}
