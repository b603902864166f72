using Causeway.Model;
using Causeway.Model.Objects;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Routes;

/// <summary>A match of a route's rule, with what precedence needs to order it.</summary>
internal sealed record CompiledMatch(HttpMatchIr Match, Route Route, int RuleIndex, int MatchIndex);

/// <summary>Compiles HTTPRoute and GRPCRoute rules into IR matches and rules, resolving their backends.</summary>
internal sealed class HttpRouteCompiler(BackendResolver backends, Gateway gateway)
{
    public List<BackendProblem> Problems { get; } = [];

    // Unresolvable extensionRef filters seen so far: such a filter is not skipped, its requests get a 500 (HTTPRouteFilter spec).
    private int _brokenFilters;

    public List<CompiledMatch> Compile(HttpRoute route)
    {
        var result = new List<CompiledMatch>();
        for (var r = 0; r < route.Spec.Rules.Count; r++)
        {
            var rule = route.Spec.Rules[r];
            var brokenBefore = _brokenFilters;
            var filters = Filters(route, FieldText.Rule(r, suffix: ".filters"), rule.Filters, out var redirect);
            var ruleBroken = _brokenFilters != brokenBefore;
            var weighted = new List<WeightedBackendIr>(rule.BackendRefs.Count);
            for (var b = 0; b < rule.BackendRefs.Count; b++)
            {
                var br = rule.BackendRefs[b];
                var (id, problem) = backends.Resolve(route, FieldText.Rule(r, b), br.ToBackendRef(), BackendProtocol.Http1, gateway);
                if (problem is not null) Problems.Add(problem);
                var backendBrokenBefore = _brokenFilters;
                var backendFilters = Filters(route, FieldText.Rule(r, b, ".filters"), br.Filters, out _);
                weighted.Add(new WeightedBackendIr
                {
                    BackendId = _brokenFilters != backendBrokenBefore ? null : id,
                    Weight = br.Weight ?? 1,
                    Filters = backendFilters,
                });
            }
            var ir = new HttpRuleIr
            {
                Name = $"httproute/{route.Namespace}/{route.Name}/rule/{(rule.Name ?? r.ToString(System.Globalization.CultureInfo.InvariantCulture))}",
                Filters = filters,
                Redirect = redirect,
                Backends = new(weighted),
                DirectResponseStatus = ruleBroken || (redirect is null && weighted.All(w => w.BackendId is null || w.Weight == 0)) ? 500 : null,
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
            var matches = rule.Matches.Count == 0 ? [new HttpRouteMatch()] : rule.Matches;
            for (var m = 0; m < matches.Count; m++)
                result.Add(new CompiledMatch(ToMatch(matches[m], ir), route, r, m));
        }
        return result;
    }

    public List<CompiledMatch> Compile(GrpcRoute route)
    {
        var result = new List<CompiledMatch>();
        for (var r = 0; r < route.Spec.Rules.Count; r++)
        {
            var rule = route.Spec.Rules[r];
            var brokenBefore = _brokenFilters;
            var filters = GrpcFilters(route, FieldText.Rule(r, suffix: ".filters"), rule.Filters);
            var ruleBroken = _brokenFilters != brokenBefore;
            var weighted = new List<WeightedBackendIr>();
            for (var b = 0; b < rule.BackendRefs.Count; b++)
            {
                var br = rule.BackendRefs[b];
                var (id, problem) = backends.Resolve(route, FieldText.Rule(r, b), br.ToBackendRef(), BackendProtocol.H2c, gateway);
                if (problem is not null) Problems.Add(problem);
                var backendBrokenBefore = _brokenFilters;
                var backendFilters = GrpcFilters(route, FieldText.Rule(r, b, ".filters"), br.Filters);
                weighted.Add(new WeightedBackendIr { BackendId = _brokenFilters != backendBrokenBefore ? null : id, Weight = br.Weight ?? 1, Filters = backendFilters });
            }
            var ir = new HttpRuleIr
            {
                Name = $"grpcroute/{route.Namespace}/{route.Name}/rule/{(rule.Name ?? r.ToString(System.Globalization.CultureInfo.InvariantCulture))}",
                Filters = filters,
                Backends = new(weighted),
                DirectResponseStatus = ruleBroken || weighted.All(w => w.BackendId is null || w.Weight == 0) ? 500 : null,
            };
            var matches = rule.Matches.Count == 0 ? [new GrpcRouteMatch()] : rule.Matches;
            for (var m = 0; m < matches.Count; m++)
                result.Add(new CompiledMatch(ToGrpcMatch(matches[m], ir), route, r, m));
        }
        return result;
    }

    private static TimeSpan? NonZero(TimeSpan? t) => t is { } v && v > TimeSpan.Zero ? v : null;

    private static HttpMatchIr ToMatch(HttpRouteMatch m, HttpRuleIr rule)
    {
        var type = m.Path?.Type ?? "PathPrefix";
        var value = m.Path?.Value ?? "/";
        var kind = type switch { "Exact" => PathMatchKind.Exact, "RegularExpression" => PathMatchKind.Regex, _ => PathMatchKind.Prefix };
        if (kind == PathMatchKind.Prefix && value.Length > 1) value = value.TrimEnd('/');
        return new HttpMatchIr
        {
            PathKind = kind,
            PathValue = value,
            Method = m.Method?.ToUpperInvariant(),
            Headers = m.Headers.Count == 0 ? EquatableArray<ValueMatchIr>.Empty
                : new(m.Headers.Select(h => new ValueMatchIr(h.Name.ToLowerInvariant(), h.Type == "RegularExpression" ? StringMatchKind.Regex : StringMatchKind.Exact, h.Value))),
            QueryParams = m.QueryParams.Count == 0 ? EquatableArray<ValueMatchIr>.Empty
                : new(m.QueryParams.Select(h => new ValueMatchIr(h.Name, h.Type == "RegularExpression" ? StringMatchKind.Regex : StringMatchKind.Exact, h.Value))),
            Rule = rule,
        };
    }

    private static HttpMatchIr ToGrpcMatch(GrpcRouteMatch m, HttpRuleIr rule)
    {
        var headers = new EquatableArray<ValueMatchIr>(m.Headers.Select(h => new ValueMatchIr(h.Name.ToLowerInvariant(), h.Type == "RegularExpression" ? StringMatchKind.Regex : StringMatchKind.Exact, h.Value)));
        var method = m.Method;
        var (kind, path) = method switch
        {
            null => (PathMatchKind.Prefix, "/"),
            { Type: "RegularExpression" } => (PathMatchKind.Regex, $"/{method.Service ?? "[^/]+"}/{method.Method ?? "[^/]+"}"),
            { Service: { } svc, Method: { } meth } => (PathMatchKind.Exact, $"/{svc}/{meth}"),
            { Service: { } svc } => (PathMatchKind.Prefix, $"/{svc}"),
            { Method: { } meth } => (PathMatchKind.Regex, $"/[^/]+/{System.Text.RegularExpressions.Regex.Escape(meth)}"),
            _ => (PathMatchKind.Prefix, "/"),
        };
        return new HttpMatchIr { PathKind = kind, PathValue = path, Headers = headers, Grpc = true, Method = "POST", Rule = rule };
    }

    private EquatableArray<HttpFilterIr> Filters(Route route, FieldText field, IReadOnlyList<HttpRouteFilter> filters, out RedirectIr? redirect)
    {
        redirect = null;
        if (filters.Count == 0) return EquatableArray<HttpFilterIr>.Empty;
        var list = new List<HttpFilterIr>(filters.Count);
        for (var i = 0; i < filters.Count; i++)
        {
            var f = filters[i];
            switch (f.Type)
            {
                case "RequestHeaderModifier" when f.RequestHeaderModifier is { } h:
                    list.Add(new HttpFilterIr { RequestHeaders = Headers(h) });
                    break;
                case "ResponseHeaderModifier" when f.ResponseHeaderModifier is { } h:
                    list.Add(new HttpFilterIr { ResponseHeaders = Headers(h) });
                    break;
                case "RequestRedirect" when f.RequestRedirect is { } rr:
                    redirect = new RedirectIr
                    {
                        Scheme = rr.Scheme,
                        Hostname = rr.Hostname,
                        Port = rr.Port,
                        StatusCode = rr.StatusCode ?? 302,
                        Path = PathModifier(rr.Path),
                    };
                    list.Add(new HttpFilterIr { Redirect = redirect });
                    break;
                case "URLRewrite" when f.UrlRewrite is { } uw:
                    list.Add(new HttpFilterIr { UrlRewrite = new UrlRewriteIr { Hostname = uw.Hostname, Path = PathModifier(uw.Path) } });
                    break;
                case "RequestMirror" when f.RequestMirror is { } mirror:
                    if (Mirror(route, $"{field}[{i}].requestMirror.backendRef", mirror) is { } m) list.Add(new HttpFilterIr { Mirror = m });
                    break;
                case "CORS" when f.Cors is { } c:
                    list.Add(new HttpFilterIr
                    {
                        Cors = new CorsIr
                        {
                            AllowOrigins = new(c.AllowOrigins),
                            AllowCredentials = c.AllowCredentials ?? false,
                            AllowMethods = new(c.AllowMethods),
                            AllowHeaders = new(c.AllowHeaders),
                            ExposeHeaders = new(c.ExposeHeaders),
                            MaxAgeSeconds = c.MaxAge ?? 5,
                        },
                    });
                    break;
                case "ExtensionRef":
                    _brokenFilters++;
                    Problems.Add(new BackendProblem(Status.Reasons.InvalidKind, $"{field}[{i}]: extensionRef {f.ExtensionRef?.Group}/{f.ExtensionRef?.Kind} is not supported"));
                    break;
            }
        }
        return new(list);
    }

    private EquatableArray<HttpFilterIr> GrpcFilters(Route route, FieldText field, IReadOnlyList<GrpcRouteFilter> filters) =>
        filters.Count == 0 ? EquatableArray<HttpFilterIr>.Empty : Filters(route, field, filters.Select(f => new HttpRouteFilter
        {
            Type = f.Type,
            RequestHeaderModifier = f.RequestHeaderModifier,
            ResponseHeaderModifier = f.ResponseHeaderModifier,
            RequestMirror = f.RequestMirror,
            ExtensionRef = f.ExtensionRef,
        }).ToList(), out _);

    private MirrorIr? Mirror(Route route, string field, HttpRequestMirrorFilter m)
    {
        var (id, problem) = backends.Resolve(route, field, m.BackendRef, route is GrpcRoute ? BackendProtocol.H2c : BackendProtocol.Http1, gateway);
        if (problem is not null)
        {
            Problems.Add(problem);
            return null;
        }
        var (num, den) = m.Fraction is { } f ? (f.Numerator, f.Denominator ?? 100) : (m.Percent ?? 100, 100);
        return new MirrorIr { BackendId = id!, Numerator = num, Denominator = den };
    }

    private static HeaderModifierIr Headers(HttpHeaderFilter h) => new()
    {
        Set = Pairs(h.Set),
        Add = Pairs(h.Add),
        Remove = h.Remove.Count == 0 ? EquatableArray<string>.Empty : new(h.Remove),
    };

    private static EquatableArray<KeyValuePair<string, string>> Pairs(IReadOnlyList<HttpHeader> headers)
    {
        if (headers.Count == 0) return EquatableArray<KeyValuePair<string, string>>.Empty;
        var pairs = new KeyValuePair<string, string>[headers.Count];
        for (var i = 0; i < pairs.Length; i++) pairs[i] = new(headers[i].Name, headers[i].Value);
        return new(System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(pairs)); // the array is not shared: no copy
    }

    private static PathModifierIr? PathModifier(HttpPathModifier? p) => p?.Type switch
    {
        "ReplaceFullPath" => new PathModifierIr(PathModifierKind.ReplaceFullPath, p.ReplaceFullPath ?? "/"),
        "ReplacePrefixMatch" => new PathModifierIr(PathModifierKind.ReplacePrefixMatch, p.ReplacePrefixMatch ?? "/"),
        _ => null,
    };
}
