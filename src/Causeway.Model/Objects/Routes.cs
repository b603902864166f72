namespace Causeway.Model.Objects;

/// <summary>What every route kind has: parents and hostnames. Lets the translator attach routes generically.</summary>
public abstract record Route : KubeObject
{
    public abstract IReadOnlyList<ParentReference> ParentRefs { get; }
    public abstract IReadOnlyList<string> Hostnames { get; }
    public abstract IEnumerable<(string Path, BackendRef Ref)> AllBackendRefs();
}

public sealed record HttpRoute : Route
{
    public HttpRouteSpec Spec { get; init; } = new();
    public override IReadOnlyList<ParentReference> ParentRefs => Spec.ParentRefs;
    public override IReadOnlyList<string> Hostnames => Spec.Hostnames;

    public override IEnumerable<(string Path, BackendRef Ref)> AllBackendRefs()
    {
        for (var r = 0; r < Spec.Rules.Count; r++)
            for (var b = 0; b < Spec.Rules[r].BackendRefs.Count; b++)
                yield return ($"spec.rules[{r}].backendRefs[{b}]", Spec.Rules[r].BackendRefs[b].ToBackendRef());
    }
}

public sealed record HttpRouteSpec
{
    public IReadOnlyList<ParentReference> ParentRefs { get; init; } = [];
    public IReadOnlyList<string> Hostnames { get; init; } = [];
    public IReadOnlyList<HttpRouteRule> Rules { get; init; } = [];
}

public sealed record HttpRouteRule
{
    public string? Name { get; init; }
    public IReadOnlyList<HttpRouteMatch> Matches { get; init; } = [];
    public IReadOnlyList<HttpRouteFilter> Filters { get; init; } = [];
    public IReadOnlyList<HttpBackendRef> BackendRefs { get; init; } = [];
    public HttpRouteTimeouts? Timeouts { get; init; }
    public HttpRouteRetry? Retry { get; init; }
    public SessionPersistence? SessionPersistence { get; init; }
}

public sealed record HttpBackendRef
{
    public string? Group { get; init; }
    public string? Kind { get; init; }
    public string Name { get; init; } = "";
    public string? Namespace { get; init; }
    public int? Port { get; init; }
    public int? Weight { get; init; }
    public IReadOnlyList<HttpRouteFilter> Filters { get; init; } = [];

    public BackendRef ToBackendRef() => new() { Group = Group, Kind = Kind, Name = Name, Namespace = Namespace, Port = Port, Weight = Weight };
}

public sealed record HttpRouteMatch
{
    public HttpPathMatch? Path { get; init; }
    public IReadOnlyList<HttpHeaderMatch> Headers { get; init; } = [];
    public IReadOnlyList<HttpHeaderMatch> QueryParams { get; init; } = [];
    public string? Method { get; init; }
}

public sealed record HttpPathMatch
{
    public string? Type { get; init; }
    public string? Value { get; init; }
}

public sealed record HttpHeaderMatch
{
    public string? Type { get; init; }
    public string Name { get; init; } = "";
    public string Value { get; init; } = "";
}

public sealed record HttpRouteFilter
{
    public string Type { get; init; } = "";
    public HttpHeaderFilter? RequestHeaderModifier { get; init; }
    public HttpHeaderFilter? ResponseHeaderModifier { get; init; }
    public HttpRequestMirrorFilter? RequestMirror { get; init; }
    public HttpRequestRedirectFilter? RequestRedirect { get; init; }
    public HttpUrlRewriteFilter? UrlRewrite { get; init; }
    public HttpCorsFilter? Cors { get; init; }
    public LocalObjectReference? ExtensionRef { get; init; }
}

public sealed record HttpHeaderFilter
{
    public IReadOnlyList<HttpHeader> Set { get; init; } = [];
    public IReadOnlyList<HttpHeader> Add { get; init; } = [];
    public IReadOnlyList<string> Remove { get; init; } = [];
}

public sealed record HttpRequestMirrorFilter
{
    public BackendRef BackendRef { get; init; } = new();
    public int? Percent { get; init; }
    public Fraction? Fraction { get; init; }
}

public sealed record Fraction
{
    public int Numerator { get; init; }
    public int? Denominator { get; init; }
}

public sealed record HttpRequestRedirectFilter
{
    public string? Scheme { get; init; }
    public string? Hostname { get; init; }
    public HttpPathModifier? Path { get; init; }
    public int? Port { get; init; }
    public int? StatusCode { get; init; }
}

public sealed record HttpUrlRewriteFilter
{
    public string? Hostname { get; init; }
    public HttpPathModifier? Path { get; init; }
}

public sealed record HttpPathModifier
{
    public string Type { get; init; } = "";
    public string? ReplaceFullPath { get; init; }
    public string? ReplacePrefixMatch { get; init; }
}

public sealed record HttpCorsFilter
{
    public IReadOnlyList<string> AllowOrigins { get; init; } = [];
    public bool? AllowCredentials { get; init; }
    public IReadOnlyList<string> AllowMethods { get; init; } = [];
    public IReadOnlyList<string> AllowHeaders { get; init; } = [];
    public IReadOnlyList<string> ExposeHeaders { get; init; } = [];
    public int? MaxAge { get; init; }
}

public sealed record HttpRouteTimeouts
{
    public string? Request { get; init; }
    public string? BackendRequest { get; init; }
}

public sealed record HttpRouteRetry
{
    public IReadOnlyList<int> Codes { get; init; } = [];
    public int? Attempts { get; init; }
    public string? Backoff { get; init; }
}

public sealed record SessionPersistence
{
    public string? SessionName { get; init; }
    public string? AbsoluteTimeout { get; init; }
    public string? IdleTimeout { get; init; }
    public string? Type { get; init; }
    public CookieConfig? CookieConfig { get; init; }
}

public sealed record CookieConfig
{
    public string? LifetimeType { get; init; }
}
