using System.Net;
using System.Net.Sockets;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Upstream.Health;

/// <summary>
/// BackendTrafficPolicy <c>healthCheck.active</c> for one backend: every endpoint is probed every interval (HTTP through
/// the backend's own connection pool, so TLS and Unix sockets behave as for traffic and connections are reused; TCP with
/// the optional send/receive payloads; gRPC with the standard <c>grpc.health.v1.Health/Check</c>) and keeps its state.
/// One timer per checker starts whatever probes are due on each tick (no task or timer per endpoint); connect-only TCP
/// probes go through the <see cref="ConnectProber"/> on Linux (a non-blocking connect each, one poll per tick for all of
/// them, closed with a reset as Envoy does). The next probe of an endpoint is due an interval after its last one ended. An endpoint starts healthy (the
/// first probe runs after the initial jitter). Kept in the <see cref="StateStore"/> by policy, backend, endpoints and
/// settings, so reloads that change none of them keep the state and the probes; disposed (probes stopped) when no rule
/// asks for it any more. Balancers read <see cref="IsHealthy"/> and <see cref="Panicking"/>.
/// </summary>
internal sealed class ActiveHealthChecker : IDisposable
{
    internal enum Outcome { Healthy, Failed, FailedNow }

    /// <summary><see cref="_due"/> of an endpoint whose probe is running.</summary>
    private const long InFlight = long.MaxValue;

    private const int MaxBodyBytes = 64 * 1024;

    private readonly ActiveHealthIr _ir;
    private readonly int _panicThreshold;
    private readonly EndpointIr[] _endpoints;
    private readonly string[] _prefixes;
    private readonly HttpMessageInvoker? _invoker;
    private readonly Version _version;
    private readonly HttpVersionPolicy _versionPolicy;
    private readonly int[] _healthy;
    private readonly long[] _healthySince;
    private readonly int[] _successes;
    private readonly int[] _failures;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly GrpcHealthProbe? _grpc;
    private readonly ConnectProber? _connect;
    private readonly long[] _due;
    private readonly long _intervalMs;
    private readonly long _timeoutMs;
    private readonly Timer _timer;
    private readonly bool _ownsInvoker;
    private int _ticking;
    private int _healthyCount;
    private long _checks;
    private long _failed;

    public ActiveHealthChecker(ActiveHealthIr ir, int panicThreshold, BackendRuntime backend)
        : this(ir, panicThreshold, [.. backend.Ir.Endpoints], [.. backend.Prefixes], backend.Invoker,
            backend.RequestConfig.Version ?? HttpVersion.Version11, backend.RequestConfig.VersionPolicy ?? HttpVersionPolicy.RequestVersionOrLower)
    {
    }

    /// <summary>
    /// Checks of a stream backend's endpoints (L4 routes: no HTTP pool to probe through): TCP as for HTTP backends; HTTP
    /// over plain HTTP/1.1 connections of the checker's own (a Unix socket endpoint through its path); gRPC over
    /// cleartext HTTP/2, one channel per endpoint as for HTTP backends.
    /// </summary>
    public ActiveHealthChecker(ActiveHealthIr ir, int panicThreshold, IReadOnlyList<EndpointIr> endpoints)
        : this(ir, panicThreshold, [.. endpoints], [.. endpoints.Select(PlainPrefix)],
            ir.Kind == ActiveHealthKind.Http ? OwnInvoker(endpoints) : null, HttpVersion.Version11, HttpVersionPolicy.RequestVersionOrLower)
    {
        _ownsInvoker = true;
    }

    /// <summary>The cleartext HTTP address of a stream endpoint (a Unix socket's stands for its path, see <see cref="OwnInvoker"/>).</summary>
    private static string PlainPrefix(EndpointIr e, int index) => e.Kind switch
    {
        EndpointKind.Unix => $"http://unix-{index.ToString(System.Globalization.CultureInfo.InvariantCulture)}.invalid",
        EndpointKind.Ip when IPAddress.TryParse(e.Address, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 => $"http://[{e.Address}]:{e.Port}",
        _ => $"http://{e.Address}:{e.Port}",
    };

    /// <summary>An HTTP client of the checker's own for stream endpoints: TCP, or the Unix socket a <see cref="PlainPrefix"/> stands for.</summary>
    private static HttpMessageInvoker OwnInvoker(IReadOnlyList<EndpointIr> endpoints)
    {
        var unix = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < endpoints.Count; i++)
            if (endpoints[i].Kind == EndpointKind.Unix) unix[$"unix-{i.ToString(System.Globalization.CultureInfo.InvariantCulture)}.invalid"] = endpoints[i].Address;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        };
        if (unix.Count > 0)
        {
            handler.ConnectCallback = async (context, token) =>
            {
                var host = context.DnsEndPoint.Host;
                var socket = unix.TryGetValue(host, out var path)
                    ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                    : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(path is null ? context.DnsEndPoint : new UnixDomainSocketEndPoint(path), token).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
        return new HttpMessageInvoker(handler, disposeHandler: true);
    }

    private ActiveHealthChecker(ActiveHealthIr ir, int panicThreshold, EndpointIr[] endpoints, string[] prefixes, HttpMessageInvoker? invoker,
        Version version, HttpVersionPolicy versionPolicy)
    {
        _ir = ir;
        _panicThreshold = panicThreshold;
        _endpoints = endpoints;
        _prefixes = prefixes;
        _invoker = invoker;
        _version = version;
        _versionPolicy = versionPolicy;
        _healthy = new int[_endpoints.Length];
        _healthySince = new long[_endpoints.Length];
        Array.Fill(_healthySince, long.MinValue);
        _successes = new int[_endpoints.Length];
        _failures = new int[_endpoints.Length];
        Array.Fill(_healthy, 1);
        _healthyCount = _endpoints.Length;
        if (ir.Kind == ActiveHealthKind.Grpc) _grpc = new GrpcHealthProbe(ir.GrpcService, [.. Enumerable.Range(0, _endpoints.Length).Select(Target)]);
        if (ir.Kind == ActiveHealthKind.Tcp && ir.Send is null && ir.Expected is null && ConnectProber.IsSupported)
            _connect = new ConnectProber(this, [.. Enumerable.Range(0, _endpoints.Length).Select(ConnectEndPoint)]);
        _intervalMs = Math.Max(1, (long)ir.Interval.TotalMilliseconds);
        _timeoutMs = Math.Max(1, (long)ir.Timeout.TotalMilliseconds);
        _due = new long[_endpoints.Length];
        var now = Environment.TickCount64;
        var jitter = (long)ir.InitialJitter.TotalMilliseconds;
        for (var i = 0; i < _due.Length; i++) _due[i] = now + (jitter > 0 ? Random.Shared.NextInt64(jitter) : 0);
        // A tick a quarter of the shorter of interval and timeout: probes start and time out within that of their time,
        // and each wake-up starts every probe then due.
        var tick = Math.Clamp(Math.Min(_intervalMs, _timeoutMs) / 4, 5, 250);
        _timer = new Timer(static s => ((ActiveHealthChecker)s!).Tick(), this, 0, tick);
    }

    public ActiveHealthIr Ir => _ir;

    /// <summary>Disposed: no rule uses these checks any more (their counters are no longer exported).</summary>
    public bool Stopped => _stop.IsCancellationRequested;

    public int Count => _endpoints.Length;

    /// <summary>Whether endpoint <paramref name="index"/> passed its checks (as of the last probe).</summary>
    public bool IsHealthy(int index) => (uint)index >= (uint)_healthy.Length || Volatile.Read(ref _healthy[index]) == 1;

    /// <summary>
    /// When endpoint <paramref name="index"/> last passed back from unhealthy (<see cref="Environment.TickCount64"/>;
    /// long.MinValue: healthy since the checks started): a slow-start window warms it up from then, as Envoy does.
    /// </summary>
    public long HealthySince(int index) => (uint)index >= (uint)_healthySince.Length ? long.MinValue : Volatile.Read(ref _healthySince[index]);

    /// <summary>
    /// Fewer endpoints are healthy than the panic threshold asks for (Envoy's panic mode): health is disregarded and
    /// every endpoint takes traffic.
    /// </summary>
    public bool Panicking { get; private set; }

    public int HealthyCount => Volatile.Read(ref _healthyCount);

    public long Checks => Interlocked.Read(ref _checks);

    public long Failures => Interlocked.Read(ref _failed);

    /// <summary>Starts the probes that are due; collects the connect probes' outcomes.</summary>
    private void Tick()
    {
        if (_stop.IsCancellationRequested || Interlocked.Exchange(ref _ticking, 1) == 1) return;
        try
        {
            var now = Environment.TickCount64;
            for (var i = 0; i < _due.Length; i++)
            {
                var due = Volatile.Read(ref _due[i]);
                if (due == InFlight || now < due) continue;
                Volatile.Write(ref _due[i], InFlight);
                if (_connect is not null && _connect.Handles(i)) _connect.Start(i, now + _timeoutMs);
                else _ = ProbeOnceAsync(i);
            }
            _connect?.Collect(now);
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    private async Task ProbeOnceAsync(int index)
    {
        Outcome outcome;
        try
        {
            outcome = await ProbeAsync(index, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            outcome = Outcome.Failed; // a probe never stops the checks of its endpoint
        }
        Complete(index, outcome);
    }

    /// <summary>A probe of endpoint <paramref name="index"/> ended: its result counts, the next is due an interval later.</summary>
    internal void Complete(int index, Outcome outcome)
    {
        if (_stop.IsCancellationRequested) return;
        Record(index, outcome);
        Volatile.Write(ref _due[index], Environment.TickCount64 + _intervalMs);
    }

    private void Record(int index, Outcome outcome)
    {
        Interlocked.Increment(ref _checks);
        if (outcome != Outcome.Healthy) Interlocked.Increment(ref _failed);
        lock (_lock)
        {
            var healthy = _healthy[index] == 1;
            if (outcome == Outcome.Healthy)
            {
                _failures[index] = 0;
                if (!healthy && ++_successes[index] >= _ir.HealthyThreshold) Set(index, true);
                return;
            }
            _successes[index] = 0;
            if (healthy && (outcome == Outcome.FailedNow || ++_failures[index] >= _ir.UnhealthyThreshold)) Set(index, false);
        }
    }

    private void Set(int index, bool healthy)
    {
        _failures[index] = 0;
        _successes[index] = 0;
        if (healthy) Volatile.Write(ref _healthySince[index], Environment.TickCount64);
        Volatile.Write(ref _healthy[index], healthy ? 1 : 0);
        var count = Interlocked.Add(ref _healthyCount, healthy ? 1 : -1);
        Panicking = _panicThreshold > 0 && count * 100 < _panicThreshold * _endpoints.Length;
    }

    /// <summary>Where endpoint <paramref name="index"/> is probed: its destination prefix, with the override port if any.</summary>
    private string Target(int index)
    {
        var e = _endpoints[index];
        if (_ir.Port is not { } port || e.Kind == EndpointKind.Unix) return _prefixes[index];
        var uri = new UriBuilder(_prefixes[index]) { Port = port };
        return uri.Uri.GetLeftPart(UriPartial.Authority);
    }

    /// <summary>Where the connect-only probe of endpoint <paramref name="index"/> connects (null for DNS names).</summary>
    private EndPoint? ConnectEndPoint(int index)
    {
        var e = _endpoints[index];
        return e.Kind switch
        {
            EndpointKind.Unix => new UnixDomainSocketEndPoint(e.Address),
            EndpointKind.Ip when IPAddress.TryParse(e.Address, out var ip) => new IPEndPoint(ip, _ir.Port ?? e.Port),
            _ => null,
        };
    }

    private async Task<Outcome> ProbeAsync(int index, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(_ir.Timeout);
        try
        {
            return _ir.Kind switch
            {
                ActiveHealthKind.Tcp => await TcpAsync(index, timeout.Token).ConfigureAwait(false),
                ActiveHealthKind.Grpc => await _grpc!.CheckAsync(index, _ir.Timeout, timeout.Token).ConfigureAwait(false) ? Outcome.Healthy : Outcome.FailedNow,
                _ => await HttpAsync(index, timeout.Token).ConfigureAwait(false),
            };
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or SocketException or IOException
            or Grpc.Core.RpcException or InvalidOperationException)
        {
            return Outcome.Failed; // timeouts and network failures count towards the unhealthy threshold
        }
    }

    private async Task<Outcome> HttpAsync(int index, CancellationToken token)
    {
        using var request = new HttpRequestMessage(new HttpMethod(_ir.Method), Target(index) + _ir.Path)
        {
            Version = _version,
            VersionPolicy = _versionPolicy,
        };
        var e = _endpoints[index];
        request.Headers.Host = _ir.Hostname ?? (e.Kind == EndpointKind.Fqdn ? e.Address : null);
        request.Headers.UserAgent.ParseAdd("causeway-health-check");
        if (_ir.Send is { } body) request.Content = new ByteArrayContent([.. body]);
        using var response = await _invoker!.SendAsync(request, token).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (!_ir.ExpectedStatuses.Contains(status))
            return _ir.RetriableStatuses.Contains(status) ? Outcome.Failed : Outcome.FailedNow;
        if (_ir.Expected is not { } expected) return Outcome.Healthy;
        var stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
        return await ContainsAsync(stream, expected, token).ConfigureAwait(false) ? Outcome.Healthy : Outcome.FailedNow;
    }

    private async Task<Outcome> TcpAsync(int index, CancellationToken token)
    {
        var e = _endpoints[index];
        EndPoint endPoint = e.Kind switch
        {
            EndpointKind.Unix => new UnixDomainSocketEndPoint(e.Address),
            EndpointKind.Fqdn => new DnsEndPoint(e.Address, _ir.Port ?? e.Port),
            _ => new IPEndPoint(IPAddress.Parse(e.Address), _ir.Port ?? e.Port),
        };
        using var socket = e.Kind == EndpointKind.Unix
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint, token).ConfigureAwait(false);
        if (_ir.Send is { } send) await socket.SendAsync(send.AsImmutableArray().AsMemory(), SocketFlags.None, token).ConfigureAwait(false);
        if (_ir.Expected is not { } expected) return Outcome.Healthy;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        return await ContainsAsync(stream, expected, token).ConfigureAwait(false) ? Outcome.Healthy : Outcome.Failed;
    }

    /// <summary>Reads until <paramref name="expected"/> was seen (true), the stream ended or 64 KiB went by (false).</summary>
    private static async Task<bool> ContainsAsync(Stream stream, Causeway.Model.EquatableArray<byte> expected, CancellationToken token)
    {
        var want = expected.AsImmutableArray();
        if (want.Length == 0) return true;
        var buffer = new byte[Math.Max(4096, want.Length * 2)];
        var length = 0;
        var total = 0;
        while (total < MaxBodyBytes)
        {
            if (length == buffer.Length)
            {
                // Keep the last want.Length - 1 bytes: a match may straddle two reads.
                var keep = want.Length - 1;
                Buffer.BlockCopy(buffer, length - keep, buffer, 0, keep);
                length = keep;
            }
            var n = await stream.ReadAsync(buffer.AsMemory(length), token).ConfigureAwait(false);
            if (n == 0) return false;
            length += n;
            total += n;
            if (buffer.AsSpan(0, length).IndexOf(want.AsSpan()) >= 0) return true;
        }
        return false;
    }

    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _timer.Dispose();
        _connect?.Dispose();
        _grpc?.Dispose();
        if (_ownsInvoker) _invoker?.Dispose();
    }

    /// <summary>The settings and the endpoints' state as a line of the printed plan.</summary>
    public static string Describe(ActiveHealthIr ir, int panicThreshold)
    {
        var what = ir.Kind switch
        {
            ActiveHealthKind.Tcp => "tcp" + (ir.Send is null ? "" : " send") + (ir.Expected is null ? "" : " receive"),
            ActiveHealthKind.Grpc => "grpc" + (ir.GrpcService.Length == 0 ? "" : " service=" + ir.GrpcService),
            _ => $"http {ir.Method} {ir.Path} expect={string.Join(",", ir.ExpectedStatuses)}" + (ir.Expected is null ? "" : " body"),
        };
        return $"active-health {what} every={Ms(ir.Interval)} timeout={Ms(ir.Timeout)} unhealthy={ir.UnhealthyThreshold} healthy={ir.HealthyThreshold}"
            + (ir.Port is { } p ? " port=" + p : "") + $" panic={panicThreshold}%";

        static string Ms(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture) + "ms";
    }
}
