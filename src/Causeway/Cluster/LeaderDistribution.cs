using Causeway.Distribution.Server;
using Causeway.Kubernetes;
using Microsoft.Extensions.Logging;

namespace Causeway.Cli.Cluster;

/// <summary>
/// Runs a <see cref="DistributionServer"/> while the controller holds the Lease and stops it (closing every proxy
/// stream, so proxies reconnect to the new leader) when it loses it. Changes are serialized and follow
/// <see cref="Controller.IsLeader"/> at the time they run, so a flapping Lease ends in the right state.
/// </summary>
internal sealed class LeaderDistribution(Controller controller, DistributionServerOptions options, ILogger logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private DistributionServer? _server;
    private Task _last = Task.CompletedTask;

    /// <summary>Brings the server in line with the current leadership (in the background).</summary>
    public void Sync()
    {
        lock (_gate) _last = Task.Run(SyncAsync);
    }

    private async Task SyncAsync()
    {
        try { await _gate.WaitAsync(_stop.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { return; }
        try
        {
            var leader = controller.IsLeader && !_stop.IsCancellationRequested;
            if (leader && _server is null)
            {
                var server = new DistributionServer(options);
                try
                {
                    await server.StartAsync(_stop.Token).ConfigureAwait(false);
                    _server = server;
                    controller.AttachDistribution(new ControllerDistribution(server, options.Authority));
                    logger.LogInformation("leader: serving proxies on port {Port}", server.Port);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
                {
                    await server.DisposeAsync().ConfigureAwait(false);
                    logger.LogError("cannot serve proxies on {Endpoint}: {Error}", options.Endpoint, e.Message);
                }
            }
            else if (!leader && _server is not null)
            {
                controller.AttachDistribution(null);
                await _server.DisposeAsync().ConfigureAwait(false);
                _server = null;
                logger.LogInformation("no longer leader: stopped serving proxies");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task last;
        lock (_gate) last = _last;
        try { await last.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        await _gate.WaitAsync().ConfigureAwait(false);
        controller.AttachDistribution(null);
        if (_server is not null) await _server.DisposeAsync().ConfigureAwait(false);
        _server = null;
        _gate.Release();
        _gate.Dispose();
        _stop.Dispose();
    }
}
