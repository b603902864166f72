using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Causeway.Distribution.Protocol;
using Causeway.Distribution.Security;
using Causeway.Distribution.Wire;
using Causeway.Translation.Ir;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace Causeway.Distribution.Client;

/// <summary>
/// The proxy side of IR distribution: dials the controller with its client certificate (mutual TLS, the controller's
/// certificate verified against the distribution CA only), subscribes to its Gateway, applies every snapshot through
/// <see cref="ProxyClientOptions.Apply"/> and ACKs it (or NACKs it with the error). While the controller is away it keeps
/// the last good configuration (it never un-applies) and redials with exponential backoff and jitter.
/// </summary>
public sealed class ProxyClient : IAsyncDisposable
{
    private readonly ProxyClientOptions _options;
    private readonly ILogger _logger;
    private readonly string _gatewayKey;
    private readonly X509Certificate2 _clientCertificate;
    private readonly X509Certificate2 _ca;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _lock = new();
    private Task? _run;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private GatewayIr? _current;
    private string _epoch = "";
    private long _version;
    private bool _connected;
    private string? _lastError;

    public ProxyClient(ProxyClientOptions options)
    {
        _options = options;
        _logger = options.LoggerFactory.CreateLogger<ProxyClient>();
        _clientCertificate = options.Credentials.ToCertificate();
        _ca = options.Credentials.ToCaCertificate();
        _gatewayKey = options.GatewayKey
            ?? ProxyIdentity.FromCertificate(_clientCertificate)?.GatewayKey
            ?? throw new ArgumentException("the client certificate names no Gateway and no GatewayKey was given", nameof(options));
    }

    public string GatewayKey => _gatewayKey;

    /// <summary>The last configuration applied successfully (kept while the controller is away), or null.</summary>
    public GatewayIr? Current { get { lock (_lock) return _current; } }

    /// <summary>The controller epoch and version of <see cref="Current"/>.</summary>
    public (string Epoch, long Version) CurrentVersion { get { lock (_lock) return (_epoch, _version); } }

    /// <summary>True while a stream to the controller is open and subscribed.</summary>
    public bool IsConnected { get { lock (_lock) return _connected; } }

    /// <summary>The last connection, authorization or apply error (null after a success).</summary>
    public string? LastError { get { lock (_lock) return _lastError; } }

    /// <summary>Completes on any state change (connected, disconnected, applied, rejected); re-read and wait again.</summary>
    public Task Changed { get { lock (_lock) return _changed.Task; } }

    /// <summary>Starts the connect/receive loop in the background.</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (_run is not null) throw new InvalidOperationException("already started");
            _run = Task.Run(() => RunAsync(_stop.Token));
        }
    }

    /// <summary>Waits until a configuration satisfying <paramref name="predicate"/> is applied.</summary>
    public async Task<GatewayIr> WaitForAsync(Func<GatewayIr, bool> predicate, CancellationToken ct)
    {
        while (true)
        {
            var changed = Changed;
            if (Current is { } ir && predicate(ir)) return ir;
            await changed.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var backoff = _options.InitialBackoff;
        while (!ct.IsCancellationRequested)
        {
            var subscribed = false;
            try
            {
                subscribed = await RunOnceAsync(() => { subscribed = true; backoff = _options.InitialBackoff; }, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (RpcException e) when (e.StatusCode is StatusCode.PermissionDenied or StatusCode.Unauthenticated)
            {
                SetError($"controller refused this proxy: {e.Status.Detail}");
                _logger.LogError("Controller refused proxy {ProxyId} for Gateway {Gateway}: {Detail}", _options.ProxyId, _gatewayKey, e.Status.Detail);
            }
            catch (Exception e) when (e is RpcException or IOException or HttpRequestException or OperationCanceledException or TimeoutException or ObjectDisposedException)
            {
                SetError($"controller connection failed: {e.Message}");
                _logger.LogWarning("Connection to controller {Address} lost: {Message}", _options.ControllerAddress, e.Message);
            }
            finally
            {
                SetConnected(false);
            }

            if (ct.IsCancellationRequested) break;
            var delay = subscribed ? _options.InitialBackoff : backoff;
            delay = TimeSpan.FromMilliseconds(delay.TotalMilliseconds * (0.8 + 0.4 * Random.Shared.NextDouble()));
            try { await Task.Delay(delay, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
            backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, _options.MaxBackoff.TotalMilliseconds));
        }
    }

    /// <summary>One connection: subscribe, then apply and answer snapshots until the stream ends. True if it subscribed.</summary>
    private async Task<bool> RunOnceAsync(Action onSubscribed, CancellationToken ct)
    {
        using var handler = CreateHandler();
        using var channel = GrpcChannel.ForAddress(_options.ControllerAddress, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = 256 * 1024 * 1024,
            LoggerFactory = _options.LoggerFactory,
        });
        var client = new IrDistribution.IrDistributionClient(channel);
        using var call = client.Stream(cancellationToken: ct);
        var (epoch, version) = CurrentVersion;
        await call.RequestStream.WriteAsync(new ProxyMessage
        {
            Subscribe = new Subscribe { Gateway = _gatewayKey, ProxyId = _options.ProxyId, Epoch = epoch, Version = version },
        }, ct).ConfigureAwait(false);

        // The server answers a refused subscription with an error status before any snapshot: wait for the headers so a
        // refusal surfaces here, not as a silent idle stream.
        await call.ResponseHeadersAsync.WaitAsync(_options.ConnectTimeout, ct).ConfigureAwait(false);
        SetConnected(true);
        onSubscribed();
        _logger.LogInformation("Connected to controller {Address} for Gateway {Gateway}", _options.ControllerAddress, _gatewayKey);

        while (await call.ResponseStream.MoveNext(ct).ConfigureAwait(false))
        {
            var ack = await ApplyAsync(call.ResponseStream.Current, ct).ConfigureAwait(false);
            await call.RequestStream.WriteAsync(new ProxyMessage { Ack = ack }, ct).ConfigureAwait(false);
        }

        return true;
    }

    private async Task<Ack> ApplyAsync(ConfigSnapshot snapshot, CancellationToken ct)
    {
        var ack = new Ack { Epoch = snapshot.Epoch, Version = snapshot.Version };
        // Off the socket thread: with inline socket completions (see Program.cs) the stream read may have completed on
        // an epoll thread, and decoding plus applying a large configuration must not stall the sockets it serves.
        await Task.Yield();
        try
        {
            if (snapshot.Gateway != _gatewayKey) throw new InvalidDataException($"snapshot for Gateway '{snapshot.Gateway}', expected '{_gatewayKey}'");
            var ir = IrCodec.Decode(snapshot.IrJson.Span, snapshot.PrivateKeys);
            if (!ir.Equals(Current)) await _options.Apply(ir, ct).ConfigureAwait(false);
            lock (_lock)
            {
                _current = ir;
                _epoch = snapshot.Epoch;
                _version = snapshot.Version;
                _lastError = null;
                SignalLocked();
            }

            ack.Ok = true;
            _logger.LogInformation("Applied version {Version} of Gateway {Gateway}", snapshot.Version, _gatewayKey);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            ack.Ok = false;
            ack.Error = e.Message;
            SetError($"version {snapshot.Version} rejected: {e.Message}");
            _logger.LogWarning("Rejected version {Version} of Gateway {Gateway}: {Error}", snapshot.Version, _gatewayKey, e.Message);
        }

        return ack;
    }

    private SocketsHttpHandler CreateHandler() => new()
    {
        ConnectTimeout = _options.ConnectTimeout,
        KeepAlivePingDelay = _options.KeepAliveInterval,
        KeepAlivePingTimeout = _options.KeepAliveTimeout,
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        EnableMultipleHttp2Connections = false,
        SslOptions = new SslClientAuthenticationOptions
        {
            ClientCertificates = new X509CertificateCollection { _clientCertificate },
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                certificate is X509Certificate2 cert
                && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0
                && (errors & SslPolicyErrors.RemoteCertificateNotAvailable) == 0
                && CertificateValidation.IsValid(cert, _ca, clientAuth: false, _logger),
        },
    };

    private void SetConnected(bool connected)
    {
        lock (_lock)
        {
            if (_connected == connected) return;
            _connected = connected;
            SignalLocked();
        }
    }

    private void SetError(string error)
    {
        lock (_lock)
        {
            _lastError = error;
            SignalLocked();
        }
    }

    private void SignalLocked()
    {
        _changed.TrySetResult();
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task? run;
        lock (_lock) run = _run;
        if (run is not null)
        {
            try { await run.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false); }
            catch (TimeoutException) { _logger.LogWarning("Proxy client did not stop within 10 s"); }
        }

        _stop.Dispose();
        _clientCertificate.Dispose();
        _ca.Dispose();
    }
}
