using Causeway.Translation.Ir;
using Microsoft.Extensions.Primitives;

namespace Causeway.DataPlane.Upstream.Balancing;

/// <summary>
/// How one route rule picks an endpoint of one of its backends (BackendTrafficPolicy <c>loadBalancer</c>) and which
/// endpoints it skips (<c>healthCheck.passive</c>): compiled per (rule, target) at apply time and called by every
/// transport instead of <see cref="BackendRuntime.NextIndex"/>, so a policy on one route never changes another
/// route's balancing of the same backend. The exchange holds its endpoint in its <see cref="RequestPolicyState"/>;
/// the completion hook gives it back (<see cref="Completed"/>) with the status, which feeds the outlier detection.
/// </summary>
internal sealed class EndpointBalancer
{
    private readonly LoadBalancerIr _ir;
    private readonly PassiveHealthIr? _passive;
    private readonly EndpointHealth[]? _health;
    private readonly ActiveHealthChecker? _active;
    private readonly HashRing? _ring;
    private readonly long[] _inFlight;
    private readonly int _count;
    private readonly string _cookieSuffix = "";
    private readonly long[]? _joined;
    private readonly long _windowMs;
    private int _next = -1;

    public EndpointBalancer(LoadBalancerIr ir, PassiveHealthIr? passive, BackendRuntime backend, EndpointHealth[]? health, ActiveHealthChecker? active = null,
        SlowStartClock? slowStart = null)
        : this(ir, passive, backend.Prefixes, health, active)
    {
        if (slowStart is not null && ir.SlowStartWindow is { } window && ir.Kind is LoadBalancerKind.RoundRobin or LoadBalancerKind.LeastRequest)
        {
            _joined = slowStart.Joined(backend.Prefixes);
            _windowMs = Math.Max(1, (long)window.TotalMilliseconds);
        }
    }

    /// <param name="endpoints">One stable name per endpoint (what the hash ring places), in endpoint order.</param>
    public EndpointBalancer(LoadBalancerIr ir, PassiveHealthIr? passive, IReadOnlyList<string> endpoints, EndpointHealth[]? health, ActiveHealthChecker? active = null)
    {
        _ir = ir;
        _passive = passive;
        _health = passive is null ? null : health;
        _active = active is not null && active.Count == endpoints.Count ? active : null;
        _count = endpoints.Count;
        _inFlight = new long[_count];
        if (ir.Kind == LoadBalancerKind.ConsistentHash) _ring = new HashRing(endpoints);
        if (ir.HashOn == HashSourceKind.Cookie)
            _cookieSuffix = "; Path=/; HttpOnly" + (ir.CookieTtl is { } ttl ? "; Max-Age=" + (long)ttl.TotalSeconds : "");
    }

    public LoadBalancerIr Ir => _ir;

    /// <summary>Whether the request may need a Set-Cookie (the Kestrel pipeline writes it).</summary>
    public bool SetsCookie => _ir.Kind == LoadBalancerKind.ConsistentHash && _ir.HashOn == HashSourceKind.Cookie;

    /// <summary>Requests of this rule in flight to endpoint <paramref name="index"/>.</summary>
    public long InFlight(int index) => Volatile.Read(ref _inFlight[index]);

    /// <summary>Whether endpoint <paramref name="index"/> is ejected now.</summary>
    public bool IsEjected(int index) => _health is not null && _health[index].IsEjected(Environment.TickCount64);

    /// <summary>The active health checks of the backend this balancer picks from, or null.</summary>
    public ActiveHealthChecker? Active => _active;

    /// <summary>
    /// Whether endpoint <paramref name="index"/> may take a request now: not ejected by outlier detection, and healthy
    /// by the active checks (unless too few are: Envoy's panic mode sends to every endpoint then).
    /// </summary>
    public bool Usable(int index, long now)
    {
        if (_health is not null && _health[index].IsEjected(now)) return false;
        return _active is null || _active.Panicking || _active.IsHealthy(index);
    }

    /// <summary>
    /// Picks an endpoint for this request (-1: the backend has none) and has <paramref name="state"/> hold it until
    /// the completion hook. <paramref name="setCookie"/> is the Set-Cookie value to send when hashing by a cookie the
    /// request lacks (a new random value, which the request is hashed by).
    /// </summary>
    public int Pick<TRequest>(in TRequest request, RequestPolicyState? state, out string? setCookie) where TRequest : struct, IRequestView
    {
        setCookie = null;
        if (_count == 0) return -1;
        var now = _health is null && _joined is null ? 0 : Environment.TickCount64;
        var index = _ir.Kind switch
        {
            LoadBalancerKind.Random => Skip(Random.Shared.Next(_count), now),
            LoadBalancerKind.LeastRequest => WarmedUp(LeastRequest(now), now),
            LoadBalancerKind.ConsistentHash => Hashed(request, state, now, out setCookie),
            _ => WarmedUp(RoundRobin(now), now),
        };
        if (state is not null)
        {
            Interlocked.Increment(ref _inFlight[index]);
            state.HoldEndpoint(this, index);
        }
        return index;
    }

    /// <summary>
    /// Picks an endpoint for a new connection (L4 routes: no request to hash, so header and cookie hashing draw at
    /// random, as Envoy does without the key) from client address <paramref name="client"/>, and counts it in flight
    /// until <see cref="Release"/>. -1: the backend has no endpoint.
    /// </summary>
    public int PickConnection(System.Net.IPAddress? client)
    {
        if (_count == 0) return -1;
        var now = _health is null && _joined is null ? 0 : Environment.TickCount64;
        int index;
        switch (_ir.Kind)
        {
            case LoadBalancerKind.Random: index = Skip(Random.Shared.Next(_count), now); break;
            case LoadBalancerKind.LeastRequest: index = WarmedUp(LeastRequest(now), now); break;
            case LoadBalancerKind.ConsistentHash when _ir.HashOn == HashSourceKind.SourceIp && client is not null:
                Span<byte> bytes = stackalloc byte[16];
                client.TryWriteBytes(bytes, out var written);
                index = _ring!.Find(HashRing.Hash(bytes[..written]), _health is null && _active is null ? null : this, now);
                break;
            case LoadBalancerKind.ConsistentHash: index = Skip(Random.Shared.Next(_count), now); break;
            default: index = WarmedUp(RoundRobin(now), now); break;
        }
        Interlocked.Increment(ref _inFlight[index]);
        return index;
    }

    /// <summary>The connection or exchange on endpoint <paramref name="index"/> is over (one less in flight).</summary>
    public void Release(int index) => Interlocked.Decrement(ref _inFlight[index]);

    /// <summary>
    /// Slow start: an endpoint still warming up keeps the pick with a probability growing linearly with the time since it
    /// joined or came back healthy by the active checks (at least 10%, Envoy's minimum weight); otherwise the next pick of
    /// the same kind is tried, a few times at most.
    /// </summary>
    private int WarmedUp(int index, long now)
    {
        if (_joined is null) return index;
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var joined = _joined[index];
            // An endpoint back from failing its active checks warms up again from when it passed.
            if (_active is not null && !_active.Panicking) joined = Math.Max(joined, _active.HealthySince(index));
            if (joined == long.MinValue) return index; // there from the start
            var age = now - joined;
            if (age >= _windowMs || Random.Shared.NextDouble() < Math.Max(0.1, (double)age / _windowMs)) return index;
            index = _ir.Kind == LoadBalancerKind.LeastRequest ? LeastRequest(now) : RoundRobin(now);
        }
        return index;
    }

    /// <summary>The next endpoint in turn that is not ejected.</summary>
    private int RoundRobin(long now) => Skip((int)((uint)Interlocked.Increment(ref _next) % (uint)_count), now);

    /// <summary>The first endpoint from <paramref name="start"/> on that is not ejected (<paramref name="start"/> when all are).</summary>
    private int Skip(int start, long now)
    {
        if (_health is null && _active is null) return start;
        for (var k = 0; k < _count; k++)
        {
            var i = (start + k) % _count;
            if (Usable(i, now)) return i;
        }
        return start;
    }

    /// <summary>
    /// Two distinct random endpoints (not ejected), the one with fewer requests in flight (Envoy's power of two
    /// choices, without drawing the same endpoint twice).
    /// </summary>
    private int LeastRequest(long now)
    {
        var first = Random.Shared.Next(_count);
        var a = Skip(first, now);
        if (_count == 1) return a;
        var b = Skip((first + 1 + Random.Shared.Next(_count - 1)) % _count, now);
        return Volatile.Read(ref _inFlight[b]) < Volatile.Read(ref _inFlight[a]) ? b : a;
    }

    private int Hashed<TRequest>(in TRequest request, RequestPolicyState? state, long now, out string? setCookie) where TRequest : struct, IRequestView
    {
        setCookie = null;
        ulong key;
        switch (_ir.HashOn)
        {
            case HashSourceKind.SourceIp:
                if (state?.ClientAddress is not { } address) return Skip(Random.Shared.Next(_count), now);
                Span<byte> bytes = stackalloc byte[16];
                address.TryWriteBytes(bytes, out var written);
                key = HashRing.Hash(bytes[..written]);
                break;
            case HashSourceKind.Header:
                if (!request.TryGetHeader(_ir.HashName, out var values) || StringValues.IsNullOrEmpty(values))
                    return Skip(Random.Shared.Next(_count), now); // nothing to hash: Envoy picks at random
                key = HashRing.Hash(values.Count == 1 ? values[0].AsSpan() : values.ToString().AsSpan());
                break;
            default:
                var cookie = request.TryGetHeader("Cookie", out var cookies) ? CookieValue(cookies, _ir.HashName) : null;
                if (cookie is null)
                {
                    cookie = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
                    setCookie = _ir.HashName + "=" + cookie + _cookieSuffix;
                }
                key = HashRing.Hash(cookie.AsSpan());
                break;
        }
        return _ring!.Find(key, _health is null && _active is null ? null : this, now);
    }

    /// <summary>The value of cookie <paramref name="name"/> in the Cookie header(s), or null.</summary>
    internal static string? CookieValue(StringValues headers, string name)
    {
        foreach (var header in headers)
        {
            if (header is null) continue;
            foreach (var part in header.Split(';'))
            {
                var pair = part.AsSpan().Trim();
                var eq = pair.IndexOf('=');
                if (eq <= 0 || !pair[..eq].Trim().SequenceEqual(name)) continue;
                var value = pair[(eq + 1)..].Trim();
                if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1];
                return value.Length == 0 ? null : value.ToString();
            }
        }
        return null;
    }

    /// <summary>
    /// The exchange held by <see cref="Pick"/> is over: endpoint <paramref name="index"/> has one request less in
    /// flight and, unless <paramref name="status"/> is 0 (no outcome: the exchange was forgotten or retried
    /// elsewhere), the outcome counts towards its ejection.
    /// </summary>
    public void Completed(int index, int status, bool localOrigin)
    {
        Release(index);
        Record(index, status, localOrigin);
    }

    /// <summary>
    /// An outcome on endpoint <paramref name="index"/> for the outlier detection (<paramref name="status"/> 0 and not
    /// <paramref name="localOrigin"/>: no outcome). L4 routes report a connect failure as a local-origin failure and
    /// an established connection as a success.
    /// </summary>
    public void Record(int index, int status, bool localOrigin)
    {
        if (_passive is null || _health is null || (status == 0 && !localOrigin)) return;
        var health = _health[index];
        if (!health.Record(_passive, status, localOrigin)) return;
        var now = Environment.TickCount64;
        var ejected = 0;
        foreach (var h in _health)
            if (h.IsEjected(now)) ejected++;
        // Envoy's rule: eject while the share already ejected is below maxEjectionPercent.
        if (ejected * 100 < _passive.MaxEjectionPercent * _count || (_passive.AlwaysEjectOneEndpoint && ejected == 0)) health.Eject(_passive, now);
    }

    private static string Limit(int? limit) => limit is > 0 ? limit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : "off";

    /// <summary>The settings as one line of the printed plan.</summary>
    public static string Describe(LoadBalancerIr ir, PassiveHealthIr? passive, ActiveHealthIr? active = null, int panicThreshold = 50)
    {
        var text = ir.Kind switch
        {
            LoadBalancerKind.ConsistentHash => "consistent-hash " + ir.HashOn switch
            {
                HashSourceKind.SourceIp => "source-ip",
                HashSourceKind.Header => "header " + ir.HashName,
                _ => "cookie " + ir.HashName + (ir.CookieTtl is { } ttl ? " ttl=" + ttl : ""),
            },
            LoadBalancerKind.LeastRequest => "least-request",
            LoadBalancerKind.Random => "random",
            _ => "round-robin",
        };
        if (ir.SlowStartWindow is { } window) text += " slow-start=" + window;
        if (passive is { } p)
            text += $" passive-health 5xx={Limit(p.Consecutive5xxErrors)} gateway={Limit(p.ConsecutiveGatewayErrors)} local-origin={(p.SplitExternalLocalOriginErrors ? Limit(p.ConsecutiveLocalOriginFailures) : "as-5xx")} base-ejection={p.BaseEjectionTime} max-ejection={p.MaxEjectionPercent}%" + (p.AlwaysEjectOneEndpoint ? " always-eject-one" : "");
        if (active is not null) text += " " + ActiveHealthChecker.Describe(active, panicThreshold);
        return text;
    }
}
