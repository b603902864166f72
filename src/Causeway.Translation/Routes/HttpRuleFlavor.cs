using Causeway.Model;
using Causeway.Model.Objects;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Routes;

/// <summary>HTTPRoute rules: path, method, header and query matches; redirects, timeouts, retries, session persistence.</summary>
internal readonly struct HttpRuleFlavor : IRuleFlavor<HttpRouteRule>
{
    public string NamePrefix => "httproute";

    public BackendProtocol Protocol => BackendProtocol.Http1;

    public string? Name(HttpRouteRule rule) => rule.Name;

    public IReadOnlyList<HttpRouteFilter> Filters(HttpRouteRule rule) => rule.Filters;

    public int BackendCount(HttpRouteRule rule) => rule.BackendRefs.Count;

    public BackendRef BackendRef(HttpRouteRule rule, int index) => rule.BackendRefs[index].ToBackendRef();

    public int? Weight(HttpRouteRule rule, int index) => rule.BackendRefs[index].Weight;

    public IReadOnlyList<HttpRouteFilter> BackendFilters(HttpRouteRule rule, int index) => rule.BackendRefs[index].Filters;

    public HttpRuleIr Rule(HttpRouteRule rule, string name, EquatableArray<HttpFilterIr> filters, RedirectIr? redirect,
        EquatableArray<WeightedBackendIr> backends, int? directResponseStatus) => new()
    {
        Name = name,
        Filters = filters,
        Redirect = redirect,
        Backends = backends,
        DirectResponseStatus = directResponseStatus,
        RequestTimeout = NonZero(Durations.Parse(rule.Timeouts?.Request)),
        BackendRequestTimeout = NonZero(Durations.Parse(rule.Timeouts?.BackendRequest)),
        Retry = rule.Retry is { } rt ? new RetryIr { Codes = new(rt.Codes), Attempts = rt.Attempts ?? 1, Backoff = Durations.Parse(rt.Backoff) } : null,
        SessionPersistence = rule.SessionPersistence is { } sp ? new SessionPersistenceIr
        {
            Type = sp.Type ?? "Cookie",
            SessionName = sp.SessionName ?? "causeway-session",
            AbsoluteTimeout = Durations.Parse(sp.AbsoluteTimeout),
            PermanentCookie = sp.CookieConfig?.LifetimeType == "Permanent",
        } : null,
    };

    public int MatchCount(HttpRouteRule rule) => rule.Matches.Count;

    public HttpMatchIr Match(HttpRouteRule rule, int index, HttpRuleIr ir)
    {
        var m = index < 0 ? null : rule.Matches[index];
        var type = m?.Path?.Type ?? "PathPrefix";
        var value = m?.Path?.Value ?? "/";
        var kind = type switch { "Exact" => PathMatchKind.Exact, "RegularExpression" => PathMatchKind.Regex, _ => PathMatchKind.Prefix };
        if (kind == PathMatchKind.Prefix && value.Length > 1) value = value.TrimEnd('/');
        return new HttpMatchIr
        {
            PathKind = kind,
            PathValue = value,
            Method = m?.Method?.ToUpperInvariant(),
            Headers = m is null || m.Headers.Count == 0 ? EquatableArray<ValueMatchIr>.Empty : new(m.Headers.Select(RouteRuleCompiler.HeaderMatch)),
            QueryParams = m is null || m.QueryParams.Count == 0 ? EquatableArray<ValueMatchIr>.Empty
                : new(m.QueryParams.Select(q => new ValueMatchIr(q.Name, q.Type == "RegularExpression" ? StringMatchKind.Regex : StringMatchKind.Exact, q.Value))),
            Rule = ir,
        };
    }

    private static TimeSpan? NonZero(TimeSpan? t) => t is { } v && v > TimeSpan.Zero ? v : null;
}
