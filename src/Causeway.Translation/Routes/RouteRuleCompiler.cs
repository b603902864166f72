using Causeway.Model;
using Causeway.Model.Loading;
using Causeway.Model.Objects;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Routes;

/// <summary>
/// Compiles HTTPRoute and GRPCRoute rules into IR matches and rules, resolving their backends: one compiler, the
/// differences between the two kinds are the <see cref="IRuleFlavor{TRule}"/> it is given.
/// </summary>
internal sealed class RouteRuleCompiler(BackendResolver backends, Gateway gateway)
{
    public List<BackendProblem> Problems { get; } = [];

    // Unresolvable extensionRef filters seen so far: such a filter is not skipped, its requests get a 500 (HTTPRouteFilter spec).
    private int _brokenFilters;

    private EnvoyRouteFilters _routeFilters => backends.RouteFilters;

    public List<CompiledMatch> Compile(HttpRoute route) => Compile(route, route.Spec.Rules, default(HttpRuleFlavor));

    public List<CompiledMatch> Compile(GrpcRoute route) => Compile(route, route.Spec.Rules, default(GrpcRuleFlavor));

    private List<CompiledMatch> Compile<TRule, TFlavor>(Route route, IReadOnlyList<TRule> rules, TFlavor flavor)
        where TFlavor : struct, IRuleFlavor<TRule>
    {
        var result = new List<CompiledMatch>();
        for (var r = 0; r < rules.Count; r++)
        {
            var rule = rules[r];
            var brokenBefore = _brokenFilters;
            var filters = Filters(route, FieldText.Rule(r, suffix: ".filters"), flavor.Filters(rule), flavor.Protocol, out var redirect);
            var ruleBroken = _brokenFilters != brokenBefore;
            var count = flavor.BackendCount(rule);
            var weighted = new List<WeightedBackendIr>(count);
            for (var b = 0; b < count; b++)
            {
                var (id, problem) = backends.Resolve(route, FieldText.Rule(r, b), flavor.BackendRef(rule, b), flavor.Protocol, gateway);
                if (problem is not null) Problems.Add(problem);
                var backendBrokenBefore = _brokenFilters;
                var backendFilters = Filters(route, FieldText.Rule(r, b, ".filters"), flavor.BackendFilters(rule, b), flavor.Protocol, out _);
                weighted.Add(new WeightedBackendIr
                {
                    BackendId = _brokenFilters != backendBrokenBefore ? null : id,
                    Weight = flavor.Weight(rule, b) ?? 1,
                    Filters = backendFilters,
                });
            }
            backends.ApplyFallback(weighted);
            var name = $"{flavor.NamePrefix}/{route.Namespace}/{route.Name}/rule/{(flavor.Name(rule) ?? r.ToString(System.Globalization.CultureInfo.InvariantCulture))}";
            var answered = redirect is not null || filters.Any(f => f.DirectResponse is not null);
            var direct = ruleBroken || (!answered && weighted.All(w => w.BackendId is null || w.Weight == 0)) ? 500 : (int?)null;
            var ir = flavor.Rule(rule, name, filters, redirect, new(weighted), direct);
            var matches = flavor.MatchCount(rule);
            if (matches == 0) result.Add(new CompiledMatch(flavor.Match(rule, -1, ir), route, r, 0));
            for (var m = 0; m < matches; m++)
                result.Add(new CompiledMatch(flavor.Match(rule, m, ir), route, r, m));
        }
        return result;
    }

    /// <summary>A header match as IR (names lower-cased: HTTP header names are case-insensitive).</summary>
    internal static ValueMatchIr HeaderMatch(HttpHeaderMatch h) =>
        new(h.Name.ToLowerInvariant(), h.Type == "RegularExpression" ? StringMatchKind.Regex : StringMatchKind.Exact, h.Value);

    private EquatableArray<HttpFilterIr> Filters(Route route, FieldText field, IReadOnlyList<HttpRouteFilter> filters, BackendProtocol protocol, out RedirectIr? redirect)
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
                    redirect = Redirect(rr);
                    list.Add(new HttpFilterIr { Redirect = redirect });
                    break;
                case "URLRewrite" when f.UrlRewrite is { } uw:
                    list.Add(new HttpFilterIr { UrlRewrite = new UrlRewriteIr { Hostname = uw.Hostname, Path = PathModifier(uw.Path) } });
                    break;
                case "RequestMirror" when f.RequestMirror is { } mirror:
                    if (Mirror(route, $"{field}[{i}].requestMirror.backendRef", mirror, protocol) is { } m) list.Add(new HttpFilterIr { Mirror = m });
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
                case "ExtensionRef" when f.ExtensionRef is { Group: KindRegistry.EnvoyGroup, Kind: "HTTPRouteFilter" } er:
                    if (_routeFilters.Resolve(route, er.Name, $"{field}[{i}].extensionRef", out var problem) is { } ok) list.AddRange(ok);
                    else
                    {
                        _brokenFilters++;
                        Problems.Add(problem!);
                    }
                    break;
                case "ExtensionRef":
                    _brokenFilters++;
                    Problems.Add(new BackendProblem(Status.Reasons.InvalidKind, $"{field}[{i}]: extensionRef {f.ExtensionRef?.Group}/{f.ExtensionRef?.Kind} is not supported"));
                    break;
            }
        }
        return new(list);
    }

    private MirrorIr? Mirror(Route route, string field, HttpRequestMirrorFilter m, BackendProtocol protocol)
    {
        var (id, problem) = backends.Resolve(route, field, m.BackendRef, protocol, gateway);
        if (problem is not null)
        {
            Problems.Add(problem);
            return null;
        }
        var (num, den) = m.Fraction is { } f ? (f.Numerator, f.Denominator ?? 100) : (m.Percent ?? 100, 100);
        return new MirrorIr { BackendId = id!, Numerator = num, Denominator = den };
    }

    internal static HeaderModifierIr Headers(HttpHeaderFilter h) => new()
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

    /// <summary>A RequestRedirect filter (or a BackendTrafficPolicy response override's redirect, the same shape) as IR.</summary>
    internal static RedirectIr Redirect(HttpRequestRedirectFilter rr) => new()
    {
        Scheme = rr.Scheme,
        Hostname = rr.Hostname,
        Port = rr.Port,
        StatusCode = rr.StatusCode ?? 302,
        Path = PathModifier(rr.Path),
    };

    private static PathModifierIr? PathModifier(HttpPathModifier? p) => p?.Type switch
    {
        "ReplaceFullPath" => new PathModifierIr(PathModifierKind.ReplaceFullPath, p.ReplaceFullPath ?? "/"),
        "ReplacePrefixMatch" => new PathModifierIr(PathModifierKind.ReplacePrefixMatch, p.ReplacePrefixMatch ?? "/"),
        _ => null,
    };
}
