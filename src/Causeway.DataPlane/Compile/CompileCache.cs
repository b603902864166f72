using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Compile;

/// <summary>
/// What the previous apply compiled, so the next one compiles only what changed: a virtual host whose IR is equal
/// (records with value equality) and whose backends resolve to the same <see cref="BackendRuntime"/> instances keeps
/// its <see cref="RouteMatcher"/> (compiled rules, regexes, header edits); a backend whose IR and connection pool are
/// unchanged keeps its <see cref="BackendRuntime"/> (and its round-robin cursor). Adding one route to 10,000 then
/// compiles one virtual host. Entries not used by an apply are dropped at its end, so the cache holds only what
/// serves. Not thread-safe: applies are serialized by the data plane.
/// </summary>
internal sealed class CompileCache
{
    private Dictionary<HostKey, HostEntry> _hosts = [];
    private Dictionary<HostKey, HostEntry> _nextHosts = [];
    private Dictionary<(string Gateway, string Backend), BackendRuntime> _backends = [];
    private Dictionary<(string Gateway, string Backend), BackendRuntime> _nextBackends = [];

    private readonly record struct HostKey(string Gateway, string Listener, string Hostname);

    private sealed record HostEntry(VirtualHostIr Ir, RouteMatcher Matcher, (string? Id, BackendRuntime? Runtime)[] Backends);

    /// <summary>Virtual hosts compiled since creation (for tests and diagnostics).</summary>
    public long HostsCompiled { get; private set; }

    /// <summary>Virtual hosts reused since creation (for tests and diagnostics).</summary>
    public long HostsReused { get; private set; }

    public void BeginApply()
    {
        _nextHosts = new Dictionary<HostKey, HostEntry>(_hosts.Count);
        _nextBackends = new Dictionary<(string, string), BackendRuntime>(_backends.Count);
    }

    /// <summary>Commits the apply: what it did not use is forgotten.</summary>
    public void EndApply()
    {
        _hosts = _nextHosts;
        _backends = _nextBackends;
        _nextHosts = [];
        _nextBackends = [];
    }

    /// <summary>The runtime of a backend: the previous one when its IR and connection pool are unchanged.</summary>
    public BackendRuntime Backend(string gateway, BackendIr ir, HttpMessageInvoker invoker,
        Http1EndpointPool[]? fastEndpoints, TimeSpan activityTimeout)
    {
        var key = (gateway, ir.Id);
        if (_nextBackends.TryGetValue(key, out var runtime)) return runtime; // one IR per (gateway, id) in an apply
        if (!_backends.TryGetValue(key, out runtime) || !ReferenceEquals(runtime.Invoker, invoker) || !runtime.Ir.Equals(ir)
            || !SamePools(runtime.FastEndpoints, fastEndpoints))
        {
            runtime = new BackendRuntime(ir, invoker, activityTimeout) { FastEndpoints = fastEndpoints };
        }
        _nextBackends[key] = runtime;
        return runtime;
    }

    private static bool SamePools(Http1EndpointPool[]? a, Http1EndpointPool[]? b)
    {
        if (a is null || b is null) return a is null && b is null;
        if (a.Length != b.Length) return false;
        for (var i = 0; i < a.Length; i++)
            if (!ReferenceEquals(a[i], b[i])) return false;
        return true;
    }

    /// <summary>
    /// The matcher of a virtual host: the previous one when the host's IR is equal and every backend it referenced
    /// still resolves to the same runtime; otherwise <paramref name="compile"/> builds it (reporting the backends it
    /// resolved).
    /// </summary>
    public RouteMatcher Matcher(string gateway, string listener, VirtualHostIr vh, Func<string?, BackendRuntime?> backends,
        Func<List<(string?, BackendRuntime?)>, RouteMatcher> compile)
    {
        var key = new HostKey(gateway, listener, vh.Hostname);
        if (_hosts.TryGetValue(key, out var entry) && entry.Ir.Equals(vh) && SameBackends(entry.Backends, backends))
        {
            HostsReused++;
            _nextHosts.TryAdd(key, entry);
            return entry.Matcher;
        }
        var used = new List<(string?, BackendRuntime?)>();
        var matcher = compile(used);
        HostsCompiled++;
        _nextHosts.TryAdd(key, new HostEntry(vh, matcher, [.. used.Distinct()]));
        return matcher;
    }

    private static bool SameBackends((string? Id, BackendRuntime? Runtime)[] used, Func<string?, BackendRuntime?> backends)
    {
        foreach (var (id, runtime) in used)
            if (!ReferenceEquals(backends(id), runtime)) return false;
        return true;
    }
}
