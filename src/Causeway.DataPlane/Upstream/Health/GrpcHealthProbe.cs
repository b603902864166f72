using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Causeway.DataPlane.Upstream.Health;

/// <summary>
/// The standard gRPC health protocol (<c>grpc.health.v1.Health/Check</c>) against each endpoint, one channel per
/// endpoint made once (HTTP/2 with prior knowledge on cleartext prefixes); SERVING is healthy, anything else is not.
/// </summary>
internal sealed class GrpcHealthProbe : IDisposable
{
    private readonly GrpcChannel[] _channels;
    private readonly Grpc.Health.V1.Health.HealthClient[] _clients;
    private readonly HealthCheckRequest _request;

    public GrpcHealthProbe(string service, string[] targets)
    {
        _request = new HealthCheckRequest { Service = service };
        _channels = [.. targets.Select(t => GrpcChannel.ForAddress(t, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) },
            DisposeHttpClient = true,
        }))];
        _clients = [.. _channels.Select(c => new Grpc.Health.V1.Health.HealthClient(c))];
    }

    public async Task<bool> CheckAsync(int index, TimeSpan timeout, CancellationToken token)
    {
        var reply = await _clients[index].CheckAsync(_request, deadline: DateTime.UtcNow + timeout, cancellationToken: token).ConfigureAwait(false);
        return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving;
    }

    public void Dispose()
    {
        foreach (var c in _channels) c.Dispose();
    }
}
