using System.Net.Sockets;
using Causeway.DataPlane.L4.Policy;
using Causeway.DataPlane.Telemetry;
using Causeway.DataPlane.Transports.ProxyProtocol;
using Causeway.DataPlane.Upstream;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.L4.Tcp;

/// <summary>
/// Opens a TCP connection to one of a backend's endpoints (bounded attempts, each with a timeout): round robin
/// without a policy; with the route's BackendTrafficPolicy its balancer picks (skipping unhealthy endpoints), its
/// connect timeout bounds each attempt, keep-alive is set first and its PROXY header is written first on the new
/// connection. A failed attempt counts as a local-origin failure for the passive health checks.
/// </summary>
internal static class BackendConnector
{
    public static async Task<Socket?> ConnectAsync(
        L4RouteTable table, BackendIr backend, L4BackendPolicy? policy, TcpConnection connection, L4ServerOptions options, L4Metrics metrics, ILogger logger)
    {
        var ct = connection.Token;
        var attempts = Math.Min(options.MaxConnectAttempts, backend.Endpoints.Count);
        var client = (connection.RemoteEndPoint as System.Net.IPEndPoint)?.Address;
        if (client is { IsIPv4MappedToIPv6: true }) client = client.MapToIPv4(); // hash a client alike on IPv4 and dual-mode ports
        for (var i = 0; i < attempts; i++)
        {
            var index = policy?.Balancer.PickConnection(client) ?? -1;
            var endpoint = index >= 0 ? backend.Endpoints[index] : table.NextEndpoint(backend);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(policy?.ConnectTimeout ?? options.ConnectTimeout);
            Socket? socket = null;
            try
            {
                var target = await EndpointResolver.ResolveStreamAsync(endpoint, timeout.Token).ConfigureAwait(false);
                if (target is null)
                {
                    metrics.BackendConnectAttemptFailed();
                    Failed(policy, index);
                    continue;
                }
                var unix = target.AddressFamily == AddressFamily.Unix;
                socket = new Socket(target.AddressFamily, SocketType.Stream, unix ? ProtocolType.Unspecified : ProtocolType.Tcp);
                if (!unix) socket.NoDelay = true;
                BackendSocketOptions.Apply(socket, policy?.Keepalive);
                await socket.ConnectAsync(target, timeout.Token).ConfigureAwait(false);
                if (policy?.ProxyProtocol is { } version)
                {
                    var header = ProxyHeaderWriter.Build(version, connection.RemoteEndPoint, LocalEndPoint(connection.Client));
                    await socket.SendAsync(header, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                }
                if (policy is not null && index >= 0)
                {
                    policy.Balancer.Record(index, 200, localOrigin: false);
                    var balancer = policy.Balancer;
                    connection.OnDispose(() => balancer.Release(index));
                }
                return socket;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                socket?.Dispose();
                metrics.BackendConnectAttemptFailed();
                Failed(policy, index);
                logger.LogDebug("Connecting to {Backend} endpoint {Address}:{Port} failed: {Error}",
                    backend.Id, endpoint.Address, endpoint.Port, e is OperationCanceledException ? "timeout" : e.Message);
            }
            catch
            {
                socket?.Dispose();
                if (policy is not null && index >= 0) policy.Balancer.Release(index);
                throw;
            }
        }
        return null;
    }

    private static void Failed(L4BackendPolicy? policy, int index)
    {
        if (policy is null || index < 0) return;
        policy.Balancer.Release(index);
        policy.Balancer.Record(index, 0, localOrigin: true);
    }

    private static System.Net.EndPoint? LocalEndPoint(Socket socket)
    {
        try
        {
            return socket.LocalEndPoint;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return null;
        }
    }
}
