using System.Net;
using Causeway.DataPlane.Listeners;
using Causeway.DataPlane.Tls;
using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Causeway.DataPlane;

/// <summary>
/// The runtime for a set of Gateways: binds what the IR asks for, diffs on every apply (keyed by address, port and
/// protocol) so unchanged ports keep their connections, and swaps route tables and backends per port with one
/// reference assignment. HTTP/HTTPS is served here; TCP/UDP/TLS ports go to the L4 server factory.
/// </summary>
public sealed partial class DataPlane : IAsyncDisposable
{
    private readonly DataPlaneOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly ServiceProvider _services;
    private readonly HttpRequestHandler _handler;
    private readonly CertificateStore _certificates = new();

    /// <summary>The parsed certificates and their OpenSSL contexts (for tests and diagnostics).</summary>
    internal CertificateStore Certificates => _certificates;
    private readonly BackendClientPool _pool;
    private readonly Http1FastPath? _fastPath;
    private readonly CompileCache _compiled = new();
    private readonly StateStore _state = new();
    private readonly HttpTelemetry _telemetry;
    private readonly Telemetry.Tracing.GatewayTracers _tracers;
    private readonly Telemetry.AccessLog.GatewayAccessLogs _accessLogs;
    private readonly IL4ServerFactory _l4;
    private readonly SemaphoreSlim _applyLock = new(1, 1);
    private readonly Dictionary<PortKey, BoundPort> _bound = [];
    private volatile PortView[] _ports = [];
    private readonly PortsCollector _portsCollector;
    private readonly Policies.Oidc.OidcCollector _oidcCollector;
    private bool _disposed;
    private readonly Upstream.Dns.FqdnEndpoints _dns;
    private IReadOnlyList<GatewayIr>? _lastApplied;
    private readonly Policies.RateLimit.Global.RedisCounters _globalRateLimit;

    /// <summary>For tests: the backend connection pool registry.</summary>
    internal BackendClientPool Pool => _pool;

    /// <summary>For tests: the HTTP/1.1 fast path (null when disabled).</summary>
    internal Http1FastPath? FastPath => _fastPath;

    /// <summary>HTTP/2 requests the Kestrel transport sent to HTTP/1.1 backends over the pooled connections.</summary>
    internal long H2DirectRequests => _handler.DirectRequests;

    /// <summary>The bound ports as the metrics see them.</summary>
    internal IReadOnlyList<PortView> Ports => _ports;

    /// <summary>For tests: the HTTP telemetry every transport reports to.</summary>
    internal HttpTelemetry Telemetry => _telemetry;

    /// <summary>For tests: the Gateways' tracers.</summary>
    internal Telemetry.Tracing.GatewayTracers Tracers => _tracers;

    /// <summary>For tests: the Gateways' custom access logs.</summary>
    internal Telemetry.AccessLog.GatewayAccessLogs AccessLogs => _accessLogs;

    /// <summary>For tests: state kept across applies.</summary>
    internal StateStore State => _state;

    /// <summary>For tests: what the last applies compiled and reused.</summary>
    internal CompileCache CompileCache => _compiled;

    public DataPlane(DataPlaneOptions options, ILoggerFactory loggerFactory)
        : this(options, loggerFactory, new L4ServerFactory(options.AccessLog))
    {
    }

    internal DataPlane(DataPlaneOptions options, ILoggerFactory loggerFactory, IL4ServerFactory l4)
    {
        _options = options;
        _loggerFactory = loggerFactory;
        _telemetry = new HttpTelemetry(_state, options.AccessLog);
        _portsCollector = new PortsCollector(() => _ports);
        options.Metrics?.Register(_telemetry);
        options.Metrics?.Register(_portsCollector);
        _oidcCollector = new Policies.Oidc.OidcCollector(_state);
        options.Metrics?.Register(_oidcCollector);
        _logger = loggerFactory.CreateLogger<DataPlane>();
        _tracers = new Telemetry.Tracing.GatewayTracers(loggerFactory.CreateLogger<Telemetry.Tracing.GatewayTracers>());
        _accessLogs = new Telemetry.AccessLog.GatewayAccessLogs(options.AccessLog, loggerFactory.CreateLogger<Telemetry.AccessLog.GatewayAccessLogs>());
        options.Metrics?.Register(_accessLogs);
        _l4 = l4;
        // Kestrel's TLS middleware resolves internal services (metrics) from ApplicationServices: take the service
        // registrations of an empty web application builder with Kestrel's core, without building a host.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.Services.AddLogging();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddHttpForwarder();
        _services = builder.Services.BuildServiceProvider();
        _handler = new HttpRequestHandler(_services.GetRequiredService<IHttpForwarder>(), options, _telemetry, loggerFactory.CreateLogger<HttpRequestHandler>());
        _pool = new BackendClientPool(options, _certificates, loggerFactory.CreateLogger<BackendClientPool>());
        _fastPath = options.Http1FastPath ? new Http1FastPath(options, loggerFactory, _telemetry) : null;
        _dns = new Upstream.Dns.FqdnEndpoints(options, _logger, () => _ = ReapplyAsync());
        _globalRateLimit = new Policies.RateLimit.Global.RedisCounters(options.GlobalRateLimit ?? new(), loggerFactory.CreateLogger("Causeway.RateLimit.Global"));
        if (options.GlobalRateLimit?.Redis is not null) options.Metrics?.Register(_globalRateLimit);
    }

    /// <summary>DNS answers of FQDN endpoints changed: the last configuration again, with the new addresses.</summary>
    private async Task ReapplyAsync()
    {
        try
        {
            if (_lastApplied is { } last && !_disposed) await ApplyAsync(last, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            _logger.LogDebug("re-applying after a DNS change skipped: {Error}", ex.Message);
        }
    }

    private sealed class BoundPort
    {
        public required string Gateway { get; set; }
        public HttpPortServer? Http { get; init; }
        public IL4Server? L4 { get; init; }
        public int Port => Http?.BoundPort ?? L4!.BoundPort;
    }

    private sealed record Desired(GatewayIr Gateway, PortIr Port, CompiledPort? Http, Func<string, BackendIr?> BackendLookup,
        Telemetry.AccessLog.GatewayAccessLog? AccessLog = null);

    /// <summary>
    /// Applies the full desired state. Ports that cannot be bound (and listeners with unusable TLS material) are
    /// reported in <see cref="ApplyReport.ListenerFailures"/>; everything else serves.
    /// </summary>
    public async Task<ApplyReport> ApplyAsync(IReadOnlyList<GatewayIr> gateways, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _applyLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var failures = new Dictionary<string, string>(StringComparer.Ordinal);
            var boundPorts = new Dictionary<string, int>(StringComparer.Ordinal);
            _lastApplied = gateways;
            gateways = await _dns.ExpandAsync(gateways, ct).ConfigureAwait(false);
            _certificates.BeginApply();
            _pool.BeginApply();
            _fastPath?.Pools.BeginApply();
            _compiled.BeginApply();
            _state.BeginApply();
            _tracers.BeginApply();
            _accessLogs.BeginApply();
            var desired = Compile(gateways, failures);
            _accessLogs.EndApply();
            _tracers.EndApply();
            _state.EndApply();
            _compiled.EndApply();
            _certificates.EndApply();

            var removed = _bound.Keys.Where(k => !desired.ContainsKey(k)).ToList();
            await Task.WhenAll(removed.Select(k => StopAsync(k, _bound[k]))).ConfigureAwait(false);
            foreach (var k in removed) _bound.Remove(k);

            foreach (var (key, d) in desired)
            {
                if (_bound.TryGetValue(key, out var existing))
                {
                    existing.Gateway = d.Gateway.Name;
                    if (existing.Http is not null) existing.Http.Update(d.Http!);
                    else
                    {
                        existing.L4!.Update(d.Port, d.BackendLookup, d.Gateway.BackendClientCertificate);
                        existing.L4.AccessLog = d.AccessLog;
                    }
                }
                else
                {
                    try
                    {
                        existing = await StartAsync(key, d, ct).ConfigureAwait(false);
                        _bound[key] = existing;
                        LogBound(key.ToString(), existing.Port, d.Gateway.Name);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                    {
                        LogBindFailed(key.ToString(), d.Gateway.Name, ex.Message);
                        foreach (var l in d.Port.Listeners) failures.TryAdd(l.Name, $"cannot serve {key}: {ex.Message}");
                        continue;
                    }
                }
                boundPorts.TryAdd($"{d.Gateway.Name}:{d.Port.Port}", existing.Port);
            }
            _pool.EndApply();
            _fastPath?.Pools.EndApply();
            PublishPorts(desired);
            return new ApplyReport(failures, boundPorts);
        }
        finally
        {
            _applyLock.Release();
        }
    }

    /// <summary>What the metrics see of the bound ports (replaced as a whole after each apply).</summary>
    private void PublishPorts(Dictionary<PortKey, Desired> desired)
    {
        var views = new List<PortView>(_bound.Count);
        foreach (var (key, b) in _bound)
        {
            var ir = desired.TryGetValue(key, out var d) ? d.Port : null;
            if (ir is null) continue;
            var http = b.Http;
            views.Add(new PortView(b.Gateway, ir, http?.Connections, http is null ? null : () => http.Current, b.L4?.Metrics));
        }
        _ports = [.. views];
    }

    private Dictionary<PortKey, Desired> Compile(IReadOnlyList<GatewayIr> gateways, Dictionary<string, string> failures)
    {
        var desired = new Dictionary<PortKey, Desired>();
        foreach (var gw in gateways)
        {
            var irs = new Dictionary<string, BackendIr>(StringComparer.Ordinal);
            foreach (var b in gw.Backends) irs.TryAdd(b.Id, b);
            var runtimes = new Dictionary<string, BackendRuntime>(StringComparer.Ordinal);
            BackendRuntime? Lookup(string? id)
            {
                if (id is null || !irs.TryGetValue(id, out var ir)) return null;
                if (ir.Protocol is BackendProtocol.Stream or BackendProtocol.Datagram) return null;
                if (!runtimes.TryGetValue(id, out var rt))
                {
                    // The fast path's endpoint pools are asked for on every apply (that keeps them in use).
                    var fast = _fastPath is not null && Http1BackendPools.Serves(ir) ? _fastPath.Pools.Get(ir) : null;
                    runtimes[id] = rt = _compiled.Backend(gw.Name, ir, _pool.Get(gw.Name, ir, gw.BackendClientCertificate),
                        fast, _options.BackendActivityTimeout);
                    rt.Stats = _state.GetOrAdd("backend-stats|" + id, () => new BackendStats(id));
                    rt.Stats.ReadyEndpoints = ir.Endpoints.Count;
                }
                return rt;
            }
            // Every HTTP backend is resolved up front, so pools of backends used only by reused virtual hosts stay
            // marked as used for this apply (the pool retires the ones no apply asked for).
            foreach (var b in gw.Backends) Lookup(b.Id);
            BackendIr? L4Lookup(string id) => irs.GetValueOrDefault(id);

            var addresses = new List<IPAddress>();
            if (gw.Addresses.Count == 0) addresses.Add(_options.DefaultBindAddress);
            foreach (var a in gw.Addresses)
            {
                if (IPAddress.TryParse(a, out var ip)) addresses.Add(ip);
                else foreach (var p in gw.Ports) foreach (var l in p.Listeners) failures.TryAdd(l.Name, $"address '{a}' is not an IP address");
            }

            // Asked for once per Gateway, before its ports compile: a port that keeps its previous plan (below) keeps
            // the sinks its listeners log to.
            var accessLog = _accessLogs.For(gw);
            foreach (var port in gw.Ports)
            {
                CompiledPort? http = null;
                if (port.Protocol is PortProtocol.Http or PortProtocol.Https)
                {
                    try
                    {
                        http = RouteCompiler.CompilePort(port, Lookup, _certificates, failures, _compiled, gw.Name, _state, _globalRateLimit);
                        http.Tracer = _tracers.For(gw);
                        http.UnmatchedStats.AccessLog = accessLog;
                        foreach (var l in port.Listeners)
                            if (http.Listeners.Entry(l.Hostname) is { } listener) listener.Stats.AccessLog = accessLog;
                    }
                    catch (Exception ex)
                    {
                        // Never unbind or empty a port that serves because its new routes do not compile: it keeps
                        // its last good plan (same gateway, address, port and protocol), and the failure is reported.
                        var kept = KeepServing(gw, port, addresses, desired, L4Lookup);
                        LogCompileFailed(gw.Name, port.Port, ex.Message, kept);
                        var reason = kept ? $"invalid configuration: {ex.Message}; the previous configuration keeps serving" : $"invalid configuration: {ex.Message}";
                        foreach (var l in port.Listeners) failures.TryAdd(l.Name, reason);
                        continue;
                    }
                }
                foreach (var address in addresses)
                {
                    var key = new PortKey(address, port.Port, port.Protocol);
                    if (desired.TryGetValue(key, out var other))
                    {
                        foreach (var l in port.Listeners) failures.TryAdd(l.Name, $"{key} is already used by gateway {other.Gateway.Name}");
                        continue;
                    }
                    desired[key] = new Desired(gw, port, http, L4Lookup, http is null ? accessLog : null);
                }
            }
        }
        return desired;
    }

    /// <summary>
    /// Keeps the plan a bound HTTP port of <paramref name="gw"/> serves for every address of <paramref name="port"/>;
    /// false when none of them is bound (nothing served, nothing to keep).
    /// </summary>
    private bool KeepServing(GatewayIr gw, PortIr port, List<IPAddress> addresses, Dictionary<PortKey, Desired> desired, Func<string, BackendIr?> l4Lookup)
    {
        var kept = false;
        foreach (var address in addresses)
        {
            var key = new PortKey(address, port.Port, port.Protocol);
            if (desired.ContainsKey(key) || !_bound.TryGetValue(key, out var bound) || bound.Http is null || bound.Gateway != gw.Name) continue;
            var current = bound.Http.Current;
            desired[key] = new Desired(gw, current.Ir, current, l4Lookup);
            kept = true;
        }
        return kept;
    }

    private async Task<BoundPort> StartAsync(PortKey key, Desired d, CancellationToken ct)
    {
        if (d.Http is not null)
        {
            var server = await HttpPortServer.StartAsync(key.Address, d.Http, _handler, _options, _fastPath, _services, _loggerFactory, ct).ConfigureAwait(false);
            return new BoundPort { Gateway = d.Gateway.Name, Http = server };
        }
        var l4 = await _l4.StartAsync(key.Address, d.Port, d.BackendLookup, d.Gateway.BackendClientCertificate, _loggerFactory, ct).ConfigureAwait(false);
        l4.AccessLog = d.AccessLog;
        return new BoundPort { Gateway = d.Gateway.Name, L4 = l4 };
    }

    private async Task StopAsync(PortKey key, BoundPort bound)
    {
        try
        {
            if (bound.Http is not null) await bound.Http.StopAsync(_options.DrainTimeout).ConfigureAwait(false);
            else await bound.L4!.DisposeAsync().ConfigureAwait(false);
            LogUnbound(key.ToString(), bound.Gateway);
        }
        catch (Exception ex)
        {
            LogUnbindFailed(key.ToString(), ex.Message);
        }
    }

    /// <summary>Stops accepting on every port, drains in-flight requests within the drain timeout, releases pools.</summary>
    public async ValueTask DisposeAsync()
    {
        await _applyLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            _disposed = true;
            _dns.Dispose();
            await Task.WhenAll(_bound.Select(kv => StopAsync(kv.Key, kv.Value))).ConfigureAwait(false);
            _bound.Clear();
            await _pool.DisposeAsync().ConfigureAwait(false);
            _fastPath?.Dispose();
            _options.Metrics?.Unregister(_telemetry);
            _options.Metrics?.Unregister(_portsCollector);
            _options.Metrics?.Unregister(_globalRateLimit);
            await _globalRateLimit.DisposeAsync().ConfigureAwait(false);
            _options.Metrics?.Unregister(_oidcCollector);
            _ports = [];
            _telemetry.Dispose();
            _tracers.Dispose();
            _options.Metrics?.Unregister(_accessLogs);
            await _accessLogs.DisposeAsync().ConfigureAwait(false);
            _state.DisposeAll();
            await _services.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _applyLock.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Bound {Key} (port {Port}) for gateway {Gateway}")]
    private partial void LogBound(string key, int port, string gateway);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot bind {Key} for gateway {Gateway}: {Reason}")]
    private partial void LogBindFailed(string key, string gateway, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Routes of gateway {Gateway} port {Port} do not compile (previous configuration kept serving: {Kept}): {Reason}")]
    private partial void LogCompileFailed(string gateway, int port, string reason, bool kept);

    [LoggerMessage(Level = LogLevel.Information, Message = "Unbound {Key} (gateway {Gateway})")]
    private partial void LogUnbound(string key, string gateway);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unbinding {Key} failed: {Reason}")]
    private partial void LogUnbindFailed(string key, string reason);
}
