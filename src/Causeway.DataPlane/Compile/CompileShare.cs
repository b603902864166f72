using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Compile;

/// <summary>
/// Identical immutable pieces of the routes one port compiles, made once and shared: match conditions (method, header
/// and query conditions with their regexes and strings) and the targets of rules that send everything,
/// unedited, to one backend. With 10,000 routes that say the same thing (one header condition, one backend) a request
/// then reads a few shared, cache-resident objects instead of per-route copies spread over the heap (and the strings
/// it compares are copies made here, not wherever the loader allocated them). Not thread-safe: used while compiling.
/// </summary>
internal sealed class CompileShare
{
    private readonly Dictionary<string, string> _text = new(StringComparer.Ordinal);
    private readonly string _gateway;
    private readonly StateStore? _state;

    /// <param name="gateway">The gateway compiled (part of the keys of state kept across applies).</param>
    /// <param name="state">Where per-rule state outlives applies (null: none, as in unit tests).</param>
    /// <summary>Every rule compiled so far runs on the event loop and is not gRPC (HTTP/2 may be served there).</summary>
    public bool AllOnLoop { get; set; } = true;

    public CompileShare(string gateway = "", StateStore? state = null)
    {
        _gateway = gateway;
        _state = state;
    }

    /// <summary>The gateway compiled (<c>namespace/name</c>).</summary>
    public string Gateway => _gateway;

    /// <summary>Where global rate limits are counted (null: compiled for printing or tests, no Redis).</summary>
    public Policies.RateLimit.Global.RedisCounters? GlobalRateLimit { get; init; }

    /// <summary>The statistics of a rule on a listener, found again across applies by their names.</summary>
    public RouteStats RouteStats(string listener, string rule) =>
        _state?.GetOrAdd("route-stats|" + _gateway + "|" + listener + "|" + rule, () => new RouteStats(_gateway, listener, rule))
        ?? new RouteStats(_gateway, listener, rule);

    /// <summary>The statistics of a listener (<c>""</c>: requests whose Host matched no listener of the port).</summary>
    public ListenerStats ListenerStats(string listener) =>
        _state?.GetOrAdd("listener-stats|" + _gateway + "|" + listener, () => new ListenerStats(_gateway, listener))
        ?? new ListenerStats(_gateway, listener);

    /// <summary>Marks the state of a (possibly reused) match as still in use: its statistics and its policies' state.</summary>
    public void KeepState(CompiledMatch match)
    {
        RouteStats(match.Stats.Listener, match.Plan.Name);
        foreach (var (key, value) in match.Rule.PolicyState) _state?.GetOrAdd(key, () => value);
    }

    /// <summary>State of a policy step kept across applies under <paramref name="key"/> (within this gateway).</summary>
    public T PolicyState<T>(string key, Func<T> create) where T : class
    {
        var full = "policy|" + _gateway + "|" + key;
        var value = _state?.GetOrAdd(full, create) ?? create();
        PolicyStateMade?.Invoke(full, value);
        return value;
    }

    private readonly Dictionary<object, object> _steps = [];

    /// <summary>
    /// One instance per <paramref name="key"/> within this compile (a record with value equality, e.g. a policy's IR and
    /// the backend runtime it talks to): rules that a Gateway-wide policy reaches share one step and its clients.
    /// </summary>
    public T Step<T>(object key, Func<T> create) where T : class
    {
        if (_steps.TryGetValue(key, out var shared) && shared is T typed) return typed;
        var made = create();
        _steps[key] = made;
        return made;
    }

    /// <summary>Told of every policy state handed out (the rule being compiled records what to keep).</summary>
    public Action<string, object>? PolicyStateMade { get; set; }
    private readonly Dictionary<string, MatchConditions> _conditions = new(StringComparer.Ordinal);
    private readonly Dictionary<BackendRuntime, PlanTarget[]> _targets = new(ReferenceEqualityComparer.Instance);

    /// <summary>One copy of <paramref name="s"/> per compile (allocated here, next to the tables that use it).</summary>
    public string Text(string s)
    {
        if (_text.TryGetValue(s, out var shared)) return shared;
        shared = new string(s.AsSpan());
        _text[shared] = shared;
        return shared;
    }

    /// <summary>The conditions of <paramref name="match"/>: one instance per distinct method, header and query list.</summary>
    public MatchConditions Conditions(HttpMatchIr match)
    {
        var key = $"{(match.Method is null ? "-" : $"{match.Method.Length}:{match.Method}")}|{Key(match.Headers)}|{Key(match.QueryParams)}";
        if (_conditions.TryGetValue(key, out var shared)) return shared;
        shared = new MatchConditions(match.Method is null ? null : Text(match.Method), Values(match.Headers), Values(match.QueryParams));
        _conditions[key] = shared;
        return shared;
    }

    /// <summary>Length-prefixed, so no two lists share a key.</summary>
    private static string Key(IReadOnlyList<ValueMatchIr> irs) =>
        string.Concat(irs.Select(c => $"{(int)c.Kind}:{c.Name.Length}:{c.Name}{c.Value.Length}:{c.Value}"));

    private ValueCondition[] Values(IReadOnlyList<ValueMatchIr> irs) =>
        [.. irs.Select(c => new ValueCondition(c with { Name = Text(c.Name), Value = Text(c.Value) }))];

    /// <summary>
    /// A rule's targets: the shared array when the rule has one target without steps of its own or of the rule's
    /// (all that matters then is the backend), else <paramref name="targets"/> itself.
    /// </summary>
    public PlanTarget[] Targets(PlanTarget[] targets)
    {
        if (targets is not [{ Backend: { } backend, RequestSteps.Length: 0, ResponseSteps.Length: 0, RedirectStep: null, UrlRewrite: null } only]) return targets;
        if (_targets.TryGetValue(backend, out var shared)) return shared;
        _targets[backend] = targets;
        return targets;
    }
}
