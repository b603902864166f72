using Causeway.DataPlane;
using Causeway.Distribution.Client;
using Causeway.Distribution.Security;
using Causeway.Model;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging;

namespace Causeway.Cli.Cluster;

/// <summary>
/// <c>causeway proxy</c> without the command line: a <see cref="ProxyClient"/> whose snapshots are applied to a real
/// data plane. In Kubernetes mode the load balancer's addresses (<see cref="GatewayIr.Addresses"/>) belong to the cloud
/// LB, not to the pod: the proxy binds every listener on 0.0.0.0 (the addresses are cleared before applying). A listener
/// that cannot be bound rejects the version (NACK), and the previous configuration is restored. With metrics, every
/// applied version counts as a successful reload (<c>causeway_config_generation</c> = versions applied) and every
/// rejected one as a failed reload.
/// </summary>
public sealed class ProxyHost : IAsyncDisposable
{
    private readonly Causeway.DataPlane.DataPlane _dataPlane;
    private readonly ProxyClient _client;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _applyLock = new(1, 1);
    private readonly Causeway.Telemetry.ControlPlaneMetrics? _metrics;
    private GatewayIr? _lastGood;
    private long _applied;
    private volatile bool _ready;

    public ProxyHost(Uri controller, IssuedCredentials credentials, string? gatewayKey, string proxyId, ILoggerFactory loggerFactory,
        DataPlaneOptions? dataPlaneOptions = null, TimeSpan? maxBackoff = null, Causeway.Telemetry.ControlPlaneMetrics? metrics = null)
    {
        _logger = loggerFactory.CreateLogger<ProxyHost>();
        _metrics = metrics;
        _dataPlane = new Causeway.DataPlane.DataPlane(dataPlaneOptions ?? new DataPlaneOptions(), loggerFactory);
        _client = new ProxyClient(new ProxyClientOptions
        {
            ControllerAddress = controller,
            Credentials = credentials,
            GatewayKey = gatewayKey,
            ProxyId = proxyId,
            Apply = ApplyAsync,
            LoggerFactory = loggerFactory,
            MaxBackoff = maxBackoff ?? TimeSpan.FromSeconds(30),
        });
    }

    public ProxyClient Client => _client;

    /// <summary>True once a configuration is applied (it stays applied while the controller is away).</summary>
    public bool Ready => _ready;

    public void Start() => _client.Start();

    private async Task ApplyAsync(GatewayIr ir, CancellationToken ct)
    {
        var local = ir with { Addresses = EquatableArray<string>.Empty };
        await _applyLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var report = await _dataPlane.ApplyAsync([local], ct).ConfigureAwait(false);
            if (report.ListenerFailures.Count > 0)
            {
                var failures = string.Join("; ", report.ListenerFailures.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}"));
                if (_lastGood is not null)
                {
                    try { await _dataPlane.ApplyAsync([_lastGood], ct).ConfigureAwait(false); }
                    catch (Exception e) when (e is not OperationCanceledException) { _logger.LogWarning("restoring the previous configuration failed: {Error}", e.Message); }
                }
                _metrics?.Reloaded(false, 0);
                throw new InvalidOperationException("listeners could not be served: " + failures);
            }
            _lastGood = local;
            _ready = true;
            _metrics?.Reloaded(true, ++_applied);
        }
        finally
        {
            _applyLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync().ConfigureAwait(false);
        await _dataPlane.DisposeAsync().ConfigureAwait(false);
        _applyLock.Dispose();
    }
}
