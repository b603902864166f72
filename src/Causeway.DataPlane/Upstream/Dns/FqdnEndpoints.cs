using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.Upstream.Dns;

/// <summary>
/// DNS-named endpoints (Envoy Gateway Backend <c>fqdn</c>): resolved when a configuration is applied, each address of
/// the backend's <see cref="BackendIr.DnsLookupFamily"/> an endpoint (by default IPv4 preferred: IPv6 addresses only when
/// the name has no IPv4 one; a name is resolved once for both families and each backend takes its own), and re-resolved every
/// <see cref="DataPlaneOptions.DnsRefreshInterval"/> (or the backend's <see cref="BackendIr.DnsRefreshRate"/>); when an answer changes, <c>changed</c> is called so the data plane
/// applies the last configuration again with the new addresses. A name that does not resolve keeps its last answer
/// (none at first, so its backend has no endpoint until it resolves). A name of a backend whose policy respects DNS
/// TTLs (<see cref="BackendIr.DnsRespectTtl"/>) is asked of the DNS servers with <see cref="TtlResolver"/> and resolved
/// again when its records' TTL runs out (at least <see cref="DataPlaneOptions.DnsMinRefreshRate"/> apart), as Envoy's
/// respect_dns_ttl does; when the servers do not answer it, the system resolver and the refresh interval do.
/// </summary>
internal sealed class FqdnEndpoints : IDisposable
{
    private readonly ConcurrentDictionary<string, IPAddress[]> _answers = new(StringComparer.Ordinal);
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly Action _changed;
    private readonly Timer _timer;
    private readonly TimeSpan _defaultInterval;
    private readonly ConcurrentDictionary<string, long> _due = new(StringComparer.Ordinal);
    private volatile Dictionary<string, TimeSpan> _intervals = new(StringComparer.Ordinal);
    private volatile string[] _inUse = [];
    private volatile Dictionary<string, DnsLookupFamily[]> _families = new(StringComparer.Ordinal);
    private volatile HashSet<string> _respectTtl = new(StringComparer.Ordinal);
    private readonly TtlResolver _ttlResolver;
    private readonly TimeSpan _minRefresh;
    private TimeSpan _period = Timeout.InfiniteTimeSpan;
    private int _refreshing;

    public FqdnEndpoints(DataPlaneOptions options, ILogger logger, Action changed,
        Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
    {
        _resolve = resolve ?? options.DnsResolver ?? ((host, ct) => System.Net.Dns.GetHostAddressesAsync(host, ct));
        _timeout = options.DnsResolveTimeout;
        _logger = logger;
        _changed = changed;
        _defaultInterval = options.DnsRefreshInterval;
        _ttlResolver = new TtlResolver(options.DnsServers, options.DnsResolveTimeout);
        _minRefresh = options.DnsMinRefreshRate > TimeSpan.Zero ? options.DnsMinRefreshRate : TimeSpan.FromSeconds(5);
        _timer = new Timer(static s => _ = ((FqdnEndpoints)s!).RefreshDueAsync(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// How often each name in use is resolved again: the shortest <see cref="BackendIr.DnsRefreshRate"/> (a
    /// BackendTrafficPolicy's <c>dns.dnsRefreshRate</c>) of the backends naming it, else the data plane's interval (no
    /// refresh when that is zero); the timer ticks at the shortest of them.
    /// </summary>
    private void Schedule(IReadOnlyList<GatewayIr> gateways)
    {
        var intervals = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var respectTtl = new HashSet<string>(StringComparer.Ordinal);
        foreach (var gw in gateways)
            foreach (var b in gw.Backends)
                foreach (var e in b.Endpoints)
                {
                    if (e.Kind != EndpointKind.Fqdn) continue;
                    if (b.DnsRespectTtl) respectTtl.Add(e.Address);
                    var interval = b.DnsRefreshRate ?? _defaultInterval;
                    if (interval <= TimeSpan.Zero) continue;
                    intervals[e.Address] = intervals.TryGetValue(e.Address, out var other) && other < interval ? other : interval;
                }
        // A name respecting its TTL is due when its TTL runs out: it is checked at least every refresh interval.
        foreach (var name in respectTtl) intervals.TryAdd(name, _minRefresh);
        _intervals = intervals;
        _respectTtl = respectTtl;
        var now = Environment.TickCount64;
        foreach (var (name, interval) in intervals) _due.TryAdd(name, now + (long)interval.TotalMilliseconds);
        foreach (var stale in _due.Keys.Where(n => !intervals.ContainsKey(n)).ToList()) _due.TryRemove(stale, out _);
        var period = intervals.Count == 0 ? Timeout.InfiniteTimeSpan : intervals.Values.Min();
        // TTLs end at any time: ticks a fifth of the minimum refresh apart find them within that of their end.
        if (respectTtl.Count > 0)
        {
            var ttlTick = TimeSpan.FromTicks(Math.Clamp(_minRefresh.Ticks / 5, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromSeconds(1).Ticks));
            if (period == Timeout.InfiniteTimeSpan || ttlTick < period) period = ttlTick;
        }
        lock (_timer)
        {
            if (period == _period) return;
            _period = period;
            _timer.Change(period, period);
        }
    }

    /// <summary>The names whose interval has passed are resolved again (the timer's work).</summary>
    private Task RefreshDueAsync()
    {
        var now = Environment.TickCount64;
        var intervals = _intervals;
        var respectTtl = _respectTtl;
        var due = new List<string>();
        foreach (var (name, interval) in intervals)
        {
            // A tick may come a little early: a name within a tenth of its interval of being due is due (a TTL's end is exact).
            if (_due.TryGetValue(name, out var at) && at - now > (respectTtl.Contains(name) ? 0 : (long)interval.TotalMilliseconds / 10)) continue;
            _due[name] = now + (long)interval.TotalMilliseconds;
            due.Add(name);
        }
        return due.Count == 0 ? Task.CompletedTask : RefreshAsync(due);
    }

    /// <summary>The gateways with every FQDN endpoint replaced by the addresses its name resolves to.</summary>
    public async Task<IReadOnlyList<GatewayIr>> ExpandAsync(IReadOnlyList<GatewayIr> gateways, CancellationToken ct)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var families = new Dictionary<string, HashSet<DnsLookupFamily>>(StringComparer.Ordinal);
        foreach (var gw in gateways)
            foreach (var b in gw.Backends)
                foreach (var e in b.Endpoints)
                    if (e.Kind == EndpointKind.Fqdn)
                    {
                        names.Add(e.Address);
                        if (!families.TryGetValue(e.Address, out var set)) families[e.Address] = set = [];
                        set.Add(b.DnsLookupFamily ?? DnsLookupFamily.IPv4Preferred);
                    }
        _inUse = [.. names];
        _families = families.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);
        Schedule(gateways);
        if (names.Count == 0) return gateways;
        await Task.WhenAll(names.Where(n => !_answers.ContainsKey(n)).Select(n => ResolveAsync(n, ct))).ConfigureAwait(false);

        var result = new GatewayIr[gateways.Count];
        for (var i = 0; i < gateways.Count; i++)
        {
            var gw = gateways[i];
            if (!gw.Backends.Any(b => b.Endpoints.Any(e => e.Kind == EndpointKind.Fqdn))) { result[i] = gw; continue; }
            result[i] = gw with { Backends = new(gw.Backends.Select(Expand)) };
        }
        return result;
    }

    private BackendIr Expand(BackendIr b)
    {
        if (!b.Endpoints.Any(e => e.Kind == EndpointKind.Fqdn)) return b;
        var endpoints = new List<EndpointIr>();
        foreach (var e in b.Endpoints)
        {
            if (e.Kind != EndpointKind.Fqdn) { endpoints.Add(e); continue; }
            foreach (var a in Select(_answers.GetValueOrDefault(e.Address) ?? [], b.DnsLookupFamily ?? DnsLookupFamily.IPv4Preferred))
                endpoints.Add(new EndpointIr(a.ToString(), e.Port));
        }
        return b with { Endpoints = new(endpoints.Distinct()) };
    }

    /// <summary>The addresses of a name's answer that <paramref name="family"/> uses.</summary>
    internal static IEnumerable<IPAddress> Select(IPAddress[] answer, DnsLookupFamily family)
    {
        static bool V4(IPAddress a) => a.AddressFamily == AddressFamily.InterNetwork;
        static bool V6(IPAddress a) => a.AddressFamily == AddressFamily.InterNetworkV6;
        return family switch
        {
            DnsLookupFamily.IPv4 => answer.Where(V4),
            DnsLookupFamily.IPv6 => answer.Where(V6),
            DnsLookupFamily.IPv4Preferred => answer.Any(V4) ? answer.Where(V4) : answer.Where(V6),
            DnsLookupFamily.IPv6Preferred => answer.Any(V6) ? answer.Where(V6) : answer.Where(V4),
            _ => answer,
        };
    }

    /// <summary>Resolves a name now; true when its answer changed.</summary>
    private async Task<bool> ResolveAsync(string name, CancellationToken ct)
    {
        IPAddress[] addresses;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_timeout);
            var all = _respectTtl.Contains(name) ? await ResolveWithTtlAsync(name, timeout.Token).ConfigureAwait(false) : null;
            all ??= await _resolve(name, timeout.Token).ConfigureAwait(false);
            // Both families are kept: backends naming the same host may use different families.
            addresses = [.. all.Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                .Select(a => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Distinct().OrderBy(a => a.ToString(), StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            _logger.LogWarning("DNS resolution of {Name} failed: {Error}; keeping its last answer", name, e.Message);
            _answers.TryAdd(name, []);
            return false;
        }
        var previous = _answers.GetValueOrDefault(name);
        _answers[name] = addresses;
        // Changed: an address that one of the name's backends uses (by its family) came or went.
        return previous is not null && (_families.GetValueOrDefault(name) ?? [DnsLookupFamily.IPv4Preferred])
            .Any(f => !Select(previous, f).SequenceEqual(Select(addresses, f)));
    }

    /// <summary>
    /// The name's addresses from the DNS servers, its next resolution due when their TTL runs out (at least the minimum
    /// refresh later); null when the servers have no address for it or cannot be reached (the system resolver answers).
    /// </summary>
    private async Task<IPAddress[]?> ResolveWithTtlAsync(string name, CancellationToken ct)
    {
        try
        {
            var (addresses, ttl) = await _ttlResolver.ResolveAsync(name, ct).ConfigureAwait(false);
            if (addresses.Length == 0 || ttl is not { } t) return null;
            _due[name] = Environment.TickCount64 + (long)(t > _minRefresh ? t : _minRefresh).TotalMilliseconds;
            return addresses;
        }
        catch (Exception e) when (e is DnsClient.DnsResponseException or SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            _logger.LogDebug("DNS query for {Name} failed: {Error}; asking the system resolver", name, e.Message);
            return null;
        }
    }

    /// <summary>Re-resolves every name in use; when an answer changed, calls back (one refresh at a time).</summary>
    internal Task RefreshAsync() => RefreshAsync(null);

    /// <summary>Re-resolves <paramref name="only"/> (null: every name in use); when an answer changed, calls back.</summary>
    private async Task RefreshAsync(IReadOnlyList<string>? only)
    {
        if (Interlocked.Exchange(ref _refreshing, 1) == 1) return;
        try
        {
            var inUse = _inUse;
            var names = only is null ? inUse : [.. only.Where(n => inUse.Contains(n, StringComparer.Ordinal))];
            foreach (var stale in _answers.Keys.Except(inUse, StringComparer.Ordinal).ToList()) _answers.TryRemove(stale, out _);
            var changed = await Task.WhenAll(names.Select(n => ResolveAsync(n, CancellationToken.None))).ConfigureAwait(false);
            if (changed.Any(c => c))
            {
                _logger.LogInformation("DNS answers changed; applying the configuration again");
                _changed();
            }
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    public void Dispose() => _timer.Dispose();
}
