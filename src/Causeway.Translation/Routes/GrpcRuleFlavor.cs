using Causeway.Model;
using Causeway.Model.Objects;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Routes;

/// <summary>GRPCRoute rules: service/method matches become POST path matches on <c>/service/method</c>, backends speak h2c.</summary>
internal readonly struct GrpcRuleFlavor : IRuleFlavor<GrpcRouteRule>
{
    public string NamePrefix => "grpcroute";

    public BackendProtocol Protocol => BackendProtocol.H2c;

    public string? Name(GrpcRouteRule rule) => rule.Name;

    public IReadOnlyList<HttpRouteFilter> Filters(GrpcRouteRule rule) => AsHttp(rule.Filters);

    public int BackendCount(GrpcRouteRule rule) => rule.BackendRefs.Count;

    public BackendRef BackendRef(GrpcRouteRule rule, int index) => rule.BackendRefs[index].ToBackendRef();

    public int? Weight(GrpcRouteRule rule, int index) => rule.BackendRefs[index].Weight;

    public IReadOnlyList<HttpRouteFilter> BackendFilters(GrpcRouteRule rule, int index) => AsHttp(rule.BackendRefs[index].Filters);

    public HttpRuleIr Rule(GrpcRouteRule rule, string name, EquatableArray<HttpFilterIr> filters, RedirectIr? redirect,
        EquatableArray<WeightedBackendIr> backends, int? directResponseStatus) => new()
    {
        Name = name,
        Filters = filters,
        Backends = backends,
        DirectResponseStatus = directResponseStatus,
        Grpc = true,
    };

    public int MatchCount(GrpcRouteRule rule) => rule.Matches.Count;

    public HttpMatchIr Match(GrpcRouteRule rule, int index, HttpRuleIr ir)
    {
        var m = index < 0 ? null : rule.Matches[index];
        var headers = m is null ? EquatableArray<ValueMatchIr>.Empty : new EquatableArray<ValueMatchIr>(m.Headers.Select(RouteRuleCompiler.HeaderMatch));
        var (kind, path) = MethodPath(m?.Method);
        return new HttpMatchIr { PathKind = kind, PathValue = path, Headers = headers, Grpc = true, Method = "POST", Rule = ir };
    }

    /// <summary>A method match as a path match; regex parts are grouped so an alternation stays inside its segment.</summary>
    internal static (PathMatchKind Kind, string Path) MethodPath(GrpcMethodMatch? method) => method switch
    {
        null => (PathMatchKind.Prefix, "/"),
        { Type: "RegularExpression" } => (PathMatchKind.Regex, $"/{Group(method.Service)}/{Group(method.Method)}"),
        { Service: { } svc, Method: { } meth } => (PathMatchKind.Exact, $"/{svc}/{meth}"),
        { Service: { } svc } => (PathMatchKind.Prefix, $"/{svc}"),
        { Method: { } meth } => (PathMatchKind.Regex, $"/[^/]+/{System.Text.RegularExpressions.Regex.Escape(meth)}"),
        _ => (PathMatchKind.Prefix, "/"),
    };

    private static string Group(string? part) => part is null ? "[^/]+" : "(?:" + part + ")";

    private static List<HttpRouteFilter> AsHttp(IReadOnlyList<GrpcRouteFilter> filters)
    {
        if (filters.Count == 0) return [];
        var list = new List<HttpRouteFilter>(filters.Count);
        foreach (var f in filters)
            list.Add(new HttpRouteFilter
            {
                Type = f.Type,
                RequestHeaderModifier = f.RequestHeaderModifier,
                ResponseHeaderModifier = f.ResponseHeaderModifier,
                RequestMirror = f.RequestMirror,
                ExtensionRef = f.ExtensionRef,
            });
        return list;
    }
}
