using Causeway.Distribution.Protocol;
using Causeway.Distribution.Security;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Causeway.Distribution.Server;

/// <summary>
/// The gRPC service: authenticates the proxy by its client certificate (already chain-validated by the TLS handshake),
/// checks it subscribes to its own Gateway, then streams snapshots and records ACKs/NACKs.
/// </summary>
internal sealed class DistributionService(GatewayFeeds feeds, DistributionServerOptions options, ILogger<DistributionService> logger)
    : IrDistribution.IrDistributionBase
{
    public override async Task Stream(IAsyncStreamReader<ProxyMessage> requestStream, IServerStreamWriter<ConfigSnapshot> responseStream, ServerCallContext context)
    {
        var certificate = context.GetHttpContext().Connection.ClientCertificate
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated, "a client certificate is required"));
        var identity = ProxyIdentity.FromCertificate(certificate)
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated, "the client certificate names no Gateway"));

        Subscribe subscribe;
        using (var subscribeTimeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken))
        {
            subscribeTimeout.CancelAfter(options.SubscribeTimeout);
            try
            {
                if (!await requestStream.MoveNext(subscribeTimeout.Token).ConfigureAwait(false))
                    throw new RpcException(new Status(StatusCode.InvalidArgument, "stream closed before Subscribe"));
            }
            catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
            {
                throw new RpcException(new Status(StatusCode.DeadlineExceeded, "no Subscribe within the timeout"));
            }

            subscribe = requestStream.Current.Subscribe
                ?? throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message must be Subscribe"));
        }

        if (!string.Equals(subscribe.Gateway, identity.GatewayKey, StringComparison.Ordinal))
        {
            logger.LogWarning("Refused proxy {ProxyId}: certificate for Gateway {Identity} asked for Gateway {Requested}",
                subscribe.ProxyId, identity.GatewayKey, subscribe.Gateway);
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"this client certificate is for Gateway '{identity.GatewayKey}', not '{subscribe.Gateway}'"));
        }

        var proxyId = string.IsNullOrEmpty(subscribe.ProxyId) ? context.Peer : subscribe.ProxyId;
        var connection = feeds.Connect(identity.GatewayKey, proxyId);
        options.Metrics?.ProxyConnected();
        logger.LogInformation("Proxy {ProxyId} of Gateway {Gateway} connected (serving {Epoch}/{Version})",
            proxyId, identity.GatewayKey, subscribe.Epoch, subscribe.Version);
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var reader = Task.CompletedTask;
        try
        {
            // Headers now: the proxy learns it is subscribed even before the Gateway has a configuration.
            await context.WriteResponseHeadersAsync(new Metadata()).ConfigureAwait(false);
            reader = ReadAcksAsync(requestStream, connection, done);
            await foreach (var snapshot in connection.Mailbox.Reader.ReadAllAsync(done.Token).ConfigureAwait(false))
            {
                await responseStream.WriteAsync(snapshot, done.Token).ConfigureAwait(false);
                options.Metrics?.Pushed();
                logger.LogDebug("Sent version {Version} of Gateway {Gateway} to proxy {ProxyId}", snapshot.Version, identity.GatewayKey, proxyId);
            }
        }
        catch (Exception e) when (done.IsCancellationRequested && e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // the proxy went away or the server stops
        }
        finally
        {
            feeds.Disconnect(connection);
            options.Metrics?.ProxyDisconnected();
            await done.CancelAsync().ConfigureAwait(false);
            await reader.ConfigureAwait(false);
            logger.LogInformation("Proxy {ProxyId} of Gateway {Gateway} disconnected", proxyId, identity.GatewayKey);
        }
    }

    private async Task ReadAcksAsync(IAsyncStreamReader<ProxyMessage> requests, GatewayFeeds.Connection connection, CancellationTokenSource done)
    {
        try
        {
            while (await requests.MoveNext(done.Token).ConfigureAwait(false))
            {
                if (requests.Current.Ack is not { } ack) continue;
                if (!feeds.Record(connection, ack)) continue;
                options.Metrics?.Answered(ack.Ok);
                if (ack.Ok)
                    logger.LogDebug("Proxy {ProxyId} of Gateway {Gateway} applied version {Version}", connection.ProxyId, connection.GatewayKey, ack.Version);
                else
                    logger.LogWarning("Proxy {ProxyId} of Gateway {Gateway} rejected version {Version}: {Error}",
                        connection.ProxyId, connection.GatewayKey, ack.Version, ack.Error);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or RpcException or InvalidOperationException)
        {
            // stream torn down
        }
        finally
        {
            await done.CancelAsync().ConfigureAwait(false);
        }
    }
}
