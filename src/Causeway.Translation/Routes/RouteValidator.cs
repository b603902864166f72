using System.Globalization;
using Causeway.Model.Objects;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Routes;

/// <summary>
/// Checks, before a route is attached, every value of an HTTPRoute or GRPCRoute that the data plane compiles or
/// writes onto the wire: regular expressions (with <see cref="RouteRegex"/>, exactly as the data plane compiles them),
/// header names (RFC 7230 tokens) and values (no CR, LF, NUL or other control characters), redirect and rewrite
/// hostnames and paths, CORS header and method lists. Each problem is <c>field.path: message</c>; a route with any is
/// not accepted (reason UnsupportedValue), so a typo in one route never reaches the data plane its neighbours share.
/// </summary>
internal static class RouteValidator
{
    /// <summary>The route's problems in field order; empty when it has none (or is not an HTTP/gRPC route).</summary>
    public static List<string> Validate(Route route)
    {
        var problems = new List<string>();
        switch (route)
        {
            case HttpRoute h: Http(h, problems); break;
            case GrpcRoute g: Grpc(g, problems); break;
        }
        return problems;
    }

    private static void Http(HttpRoute route, List<string> problems)
    {
        for (var r = 0; r < route.Spec.Rules.Count; r++)
        {
            var rule = route.Spec.Rules[r];
            var at = Rule(r);
            for (var m = 0; m < rule.Matches.Count; m++)
            {
                var match = rule.Matches[m];
                var mat = $"{at}.matches[{N(m)}]";
                if (match.Path is { Type: "RegularExpression", Value: { } path }) Regex(problems, mat + ".path.value", path);
                Headers(problems, mat + ".headers", match.Headers);
                for (var q = 0; q < match.QueryParams.Count; q++)
                    if (match.QueryParams[q].Type == "RegularExpression") Regex(problems, $"{mat}.queryParams[{N(q)}].value", match.QueryParams[q].Value);
            }
            Filters(problems, at + ".filters", rule.Filters);
            Combinations(problems, at, rule);
            for (var b = 0; b < rule.BackendRefs.Count; b++)
                Filters(problems, $"{at}.backendRefs[{N(b)}].filters", rule.BackendRefs[b].Filters);
        }
    }

    /// <summary>
    /// The CRD's rules on filter combinations (CEL in <c>spec.rules[]</c>), checked again for objects that reached us
    /// without them (an older CRD): RequestRedirect and URLRewrite not both, RequestRedirect without backendRefs, a
    /// filter type at most once (but RequestMirror, ExtensionRef), and ReplacePrefixMatch only with exactly one
    /// PathPrefix match.
    /// </summary>
    private static void Combinations(List<string> problems, string at, HttpRouteRule rule)
    {
        var redirect = rule.Filters.Any(f => f.Type == "RequestRedirect");
        if (redirect && rule.Filters.Any(f => f.Type == "URLRewrite"))
            problems.Add($"{at}.filters: RequestRedirect and URLRewrite may not both be used in one rule");
        if (redirect && rule.BackendRefs.Count > 0)
            problems.Add($"{at}: a RequestRedirect filter may not be used together with backendRefs");
        foreach (var g in rule.Filters.GroupBy(f => f.Type).Where(g => g.Count() > 1 && g.Key is not ("RequestMirror" or "ExtensionRef")))
            problems.Add($"{at}.filters: the {g.Key} filter may be given once per rule");
        // No matches means the default one, PathPrefix "/".
        var single = rule.Matches.Count == 0 || (rule.Matches.Count == 1 && (rule.Matches[0].Path?.Type ?? "PathPrefix") == "PathPrefix");
        foreach (var f in rule.Filters)
        {
            var modifier = f.RequestRedirect?.Path ?? f.UrlRewrite?.Path;
            if (modifier?.ReplacePrefixMatch is not null && !single)
                problems.Add($"{at}: {f.Type} with path.replacePrefixMatch needs exactly one match, of type PathPrefix");
        }
    }

    private static void Grpc(GrpcRoute route, List<string> problems)
    {
        for (var r = 0; r < route.Spec.Rules.Count; r++)
        {
            var rule = route.Spec.Rules[r];
            var at = Rule(r);
            for (var m = 0; m < rule.Matches.Count; m++)
            {
                var match = rule.Matches[m];
                var mat = $"{at}.matches[{N(m)}]";
                if (match.Method is { Type: "RegularExpression" } method)
                {
                    if (method.Service is { } service) Regex(problems, mat + ".method.service", service);
                    if (method.Method is { } name) Regex(problems, mat + ".method.method", name);
                }
                Headers(problems, mat + ".headers", match.Headers);
            }
            for (var f = 0; f < rule.Filters.Count; f++)
                HeaderFilters(problems, $"{at}.filters[{N(f)}]", rule.Filters[f].RequestHeaderModifier, rule.Filters[f].ResponseHeaderModifier);
            for (var b = 0; b < rule.BackendRefs.Count; b++)
            {
                var filters = rule.BackendRefs[b].Filters;
                for (var f = 0; f < filters.Count; f++)
                    HeaderFilters(problems, $"{at}.backendRefs[{N(b)}].filters[{N(f)}]", filters[f].RequestHeaderModifier, filters[f].ResponseHeaderModifier);
            }
        }
    }

    private static void Headers(List<string> problems, string field, IReadOnlyList<HttpHeaderMatch> headers)
    {
        for (var h = 0; h < headers.Count; h++)
        {
            var at = $"{field}[{N(h)}]";
            Name(problems, at + ".name", headers[h].Name);
            if (headers[h].Type == "RegularExpression") Regex(problems, at + ".value", headers[h].Value);
        }
    }

    private static void Filters(List<string> problems, string field, IReadOnlyList<HttpRouteFilter> filters)
    {
        for (var i = 0; i < filters.Count; i++)
        {
            var f = filters[i];
            var at = $"{field}[{N(i)}]";
            HeaderFilters(problems, at, f.RequestHeaderModifier, f.ResponseHeaderModifier);
            if (f.RequestRedirect is { } redirect)
            {
                if (redirect.Hostname is { } host) Hostname(problems, at + ".requestRedirect.hostname", host);
                PathModifier(problems, at + ".requestRedirect.path", redirect.Path);
            }
            if (f.UrlRewrite is { } rewrite)
            {
                if (rewrite.Hostname is { } host) Hostname(problems, at + ".urlRewrite.hostname", host);
                PathModifier(problems, at + ".urlRewrite.path", rewrite.Path);
            }
            if (f.Cors is { } cors)
            {
                Tokens(problems, at + ".cors.allowMethods", cors.AllowMethods);
                Tokens(problems, at + ".cors.allowHeaders", cors.AllowHeaders);
                Tokens(problems, at + ".cors.exposeHeaders", cors.ExposeHeaders);
                for (var o = 0; o < cors.AllowOrigins.Count; o++)
                    Value(problems, $"{at}.cors.allowOrigins[{N(o)}]", cors.AllowOrigins[o]);
            }
        }
    }

    private static void HeaderFilters(List<string> problems, string field, HttpHeaderFilter? request, HttpHeaderFilter? response)
    {
        if (request is not null) HeaderModifier(problems, field + ".requestHeaderModifier", request);
        if (response is not null) HeaderModifier(problems, field + ".responseHeaderModifier", response);
    }

    private static void HeaderModifier(List<string> problems, string field, HttpHeaderFilter h)
    {
        for (var i = 0; i < h.Set.Count; i++)
        {
            Name(problems, $"{field}.set[{N(i)}].name", h.Set[i].Name);
            Value(problems, $"{field}.set[{N(i)}].value", h.Set[i].Value);
        }
        for (var i = 0; i < h.Add.Count; i++)
        {
            Name(problems, $"{field}.add[{N(i)}].name", h.Add[i].Name);
            Value(problems, $"{field}.add[{N(i)}].value", h.Add[i].Value);
        }
        for (var i = 0; i < h.Remove.Count; i++) Name(problems, $"{field}.remove[{N(i)}]", h.Remove[i]);
    }

    private static void PathModifier(List<string> problems, string field, HttpPathModifier? p)
    {
        if (p?.ReplaceFullPath is { } full) Path(problems, field + ".replaceFullPath", full);
        if (p?.ReplacePrefixMatch is { } prefix) Path(problems, field + ".replacePrefixMatch", prefix);
    }

    private static void Regex(List<string> problems, string field, string pattern)
    {
        if (RouteRegex.Problem(pattern) is { } problem) problems.Add($"{field}: {problem}");
    }

    private static void Tokens(List<string> problems, string field, IReadOnlyList<string> names)
    {
        for (var i = 0; i < names.Count; i++)
            if (names[i] != "*") Name(problems, $"{field}[{N(i)}]", names[i]);
    }

    private static void Name(List<string> problems, string field, string name)
    {
        if (!HeaderSyntax.IsToken(name)) problems.Add($"{field}: {Quote(name)} is not a valid header name (an RFC 7230 token)");
    }

    private static void Value(List<string> problems, string field, string value)
    {
        if (HeaderSyntax.ControlCharacter(value) is { } c)
            problems.Add($"{field}: value contains the control character U+{((int)c).ToString("X4", CultureInfo.InvariantCulture)} (CR, LF, NUL and other control characters are not allowed in header values)");
    }

    private static void Path(List<string> problems, string field, string path)
    {
        var bad = HeaderSyntax.ControlCharacter(path) ?? (path.Contains(' ', StringComparison.Ordinal) ? ' ' : null);
        if (bad is { } c)
            problems.Add($"{field}: path contains the character U+{((int)c).ToString("X4", CultureInfo.InvariantCulture)} (control characters and spaces are not allowed in paths)");
    }

    private static void Hostname(List<string> problems, string field, string host)
    {
        if (!HeaderSyntax.IsHostname(host)) problems.Add($"{field}: {Quote(host)} is not a valid hostname (RFC 1123, lower case)");
    }

    private static string Quote(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    private static string Rule(int r) => "spec.rules[" + N(r) + "]";

    private static string N(int i) => i.ToString(CultureInfo.InvariantCulture);
}
