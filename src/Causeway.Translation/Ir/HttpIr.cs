using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>
/// A listener's routing table, already ordered by the Gateway API precedence: pick the virtual host for the request's
/// host (exact over wildcard, longer wildcard first, then the catch-all), then the first matching entry in order.
/// </summary>
public sealed record HttpRouteTableIr
{
    public EquatableArray<VirtualHostIr> VirtualHosts { get; init; } = EquatableArray<VirtualHostIr>.Empty;
}

public sealed record VirtualHostIr
{
    /// <summary>Exact host, <c>*.suffix</c> wildcard, or <c>*</c> for any host.</summary>
    public required string Hostname { get; init; }

    /// <summary>Matches in precedence order: the first that matches wins.</summary>
    public EquatableArray<HttpMatchIr> Matches { get; init; } = EquatableArray<HttpMatchIr>.Empty;
}

public enum PathMatchKind { Exact, Prefix, Regex }

public enum StringMatchKind { Exact, Regex }

public sealed record HttpMatchIr
{
    public PathMatchKind PathKind { get; init; } = PathMatchKind.Prefix;

    /// <summary>For Prefix: without a trailing slash (except "/"); matched segment-wise.</summary>
    public string PathValue { get; init; } = "/";

    /// <summary>Upper-case method, or null for any.</summary>
    public string? Method { get; init; }

    public EquatableArray<ValueMatchIr> Headers { get; init; } = EquatableArray<ValueMatchIr>.Empty;
    public EquatableArray<ValueMatchIr> QueryParams { get; init; } = EquatableArray<ValueMatchIr>.Empty;

    /// <summary>gRPC: true when this entry came from a GRPCRoute (no-match answers differ).</summary>
    public bool Grpc { get; init; }

    /// <summary>The rule this match belongs to.</summary>
    public required HttpRuleIr Rule { get; init; }
}

/// <summary>A header (case-insensitive name) or query parameter (exact name) condition.</summary>
public sealed record ValueMatchIr(string Name, StringMatchKind Kind, string Value);

/// <summary>What a matched request does: filters, then a redirect, a direct response, or backends.</summary>
public sealed record HttpRuleIr
{
    /// <summary><c>httproute/ns/name/rule/N</c> (or <c>grpcroute/...</c>), for logs, dumps and metrics.</summary>
    public required string Name { get; init; }

    /// <summary>Rule-level filters in the order written (header edits, rewrite, mirrors, CORS).</summary>
    public EquatableArray<HttpFilterIr> Filters { get; init; } = EquatableArray<HttpFilterIr>.Empty;

    /// <summary>When set, answered without a backend (a RequestRedirect filter).</summary>
    public RedirectIr? Redirect { get; init; }

    /// <summary>When set, answered with this status (e.g. 500 when no backend of the rule resolves).</summary>
    public int? DirectResponseStatus { get; init; }

    /// <summary>
    /// A GRPCRoute rule: its own answers (no valid backend, an invalid backendRef's share) are gRPC ones, status
    /// UNAVAILABLE (GRPCRoute CRD <c>spec.rules[].backendRefs</c>), where an HTTPRoute rule answers 500.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool Grpc { get; init; }

    public EquatableArray<WeightedBackendIr> Backends { get; init; } = EquatableArray<WeightedBackendIr>.Empty;

    /// <summary>HTTPRoute timeouts.request: whole request including retries. Null: none.</summary>
    public TimeSpan? RequestTimeout { get; init; }

    /// <summary>HTTPRoute timeouts.backendRequest: each attempt to a backend. Null: none.</summary>
    public TimeSpan? BackendRequestTimeout { get; init; }

    public RetryIr? Retry { get; init; }

    public SessionPersistenceIr? SessionPersistence { get; init; }

    /// <summary>The effective Envoy Gateway BackendTrafficPolicy of this rule (for the listener it is reached through), or null.</summary>
    public BackendTrafficPolicyIr? BackendTraffic { get; init; }

    /// <summary>The effective Envoy Gateway SecurityPolicy of this rule (for the listener it is reached through), or null.</summary>
    public SecurityPolicyIr? Security { get; init; }
}

public sealed record WeightedBackendIr
{
    /// <summary>Key into <see cref="GatewayIr.Backends"/>; null when the backendRef is invalid (its share answers 500).</summary>
    public string? BackendId { get; init; }
    public required int Weight { get; init; }

    /// <summary>backendRef-level filters, applied after the rule's.</summary>
    public EquatableArray<HttpFilterIr> Filters { get; init; } = EquatableArray<HttpFilterIr>.Empty;
}

/// <summary>A filter; exactly one of the members is set.</summary>
public sealed record HttpFilterIr
{
    public HeaderModifierIr? RequestHeaders { get; init; }
    public HeaderModifierIr? ResponseHeaders { get; init; }
    public UrlRewriteIr? UrlRewrite { get; init; }
    public MirrorIr? Mirror { get; init; }
    public CorsIr? Cors { get; init; }
    public RedirectIr? Redirect { get; init; }

    /// <summary>Envoy Gateway HTTPRouteFilter <c>directResponse</c>: the rule answers this, without a backend.</summary>
    public DirectResponseIr? DirectResponse { get; init; }

    /// <summary>Envoy Gateway HTTPRouteFilter <c>credentialInjection</c>.</summary>
    public CredentialInjectionIr? CredentialInjection { get; init; }
}

public sealed record HeaderModifierIr
{
    public EquatableArray<KeyValuePair<string, string>> Set { get; init; } = EquatableArray<KeyValuePair<string, string>>.Empty;
    public EquatableArray<KeyValuePair<string, string>> Add { get; init; } = EquatableArray<KeyValuePair<string, string>>.Empty;
    public EquatableArray<string> Remove { get; init; } = EquatableArray<string>.Empty;

    /// <summary>Headers added only when absent (Envoy Gateway's <c>addIfAbsent</c>); null: none (Gateway API filters).</summary>
    public EquatableArray<KeyValuePair<string, string>>? AddIfAbsent { get; init; }

    /// <summary>
    /// Headers removed when their name matches (Envoy Gateway's <c>removeOnMatch</c>, case-insensitive; run after the
    /// other edits); null: none (Gateway API filters).
    /// </summary>
    public EquatableArray<HeaderNameMatchIr>? RemoveOnMatch { get; init; }
}

/// <summary>A header name matcher of <c>removeOnMatch</c>: Exact, Prefix and Suffix compare lower-cased names; a RegularExpression matches the whole lower-cased name.</summary>
public sealed record HeaderNameMatchIr(HeaderValueMatchKind Kind, string Value);

public enum PathModifierKind { ReplaceFullPath, ReplacePrefixMatch, ReplaceRegexMatch }

/// <summary>
/// A path modifier. For <see cref="PathModifierKind.ReplaceRegexMatch"/> (Envoy Gateway HTTPRouteFilter
/// <c>urlRewrite.path</c>), <see cref="Value"/> is the pattern and <see cref="Substitution"/> its RE2-style
/// substitution (<c>\1</c> for a group), both checked by <see cref="RouteRegex.Substitution"/>.
/// </summary>
public sealed record PathModifierIr(PathModifierKind Kind, string Value)
{
    public string? Substitution { get; init; }
}

public sealed record RedirectIr
{
    public string? Scheme { get; init; }
    public string? Hostname { get; init; }
    public PathModifierIr? Path { get; init; }
    public int? Port { get; init; }
    public int StatusCode { get; init; } = 302;
}

public sealed record UrlRewriteIr
{
    /// <summary>A fixed Host for the backend.</summary>
    public string? Hostname { get; init; }
    public PathModifierIr? Path { get; init; }

    /// <summary>Envoy Gateway <c>hostname.type: Header</c>: the Host is this request header's value (unchanged when absent).</summary>
    public string? HostnameFromHeader { get; init; }

    /// <summary>
    /// Envoy Gateway <c>hostname.type: Backend</c>: the Host is the backend's hostname (<see cref="BackendIr.Hostname"/>;
    /// unchanged for a backend without one, as Envoy's automatic host rewrite leaves it for endpoints without a name).
    /// </summary>
    public bool? HostnameFromBackend { get; init; }

    /// <summary>Envoy Gateway <c>hostname.type: PathRegex</c>: the Host is the path with this pattern's match substituted (unchanged when it does not match).</summary>
    public PathModifierIr? HostnameFromPath { get; init; }

    /// <summary>Envoy Gateway <c>appendXForwardedHost: false</c>: no X-Forwarded-Host when the Host is rewritten (null: true).</summary>
    public bool? AppendXForwardedHost { get; init; }
}

/// <summary>Envoy Gateway HTTPRouteFilter <c>credentialInjection</c>: a Secret's credential in a request header.</summary>
public sealed record CredentialInjectionIr
{
    /// <summary>The header (lower case); <c>authorization</c> unless the filter names another.</summary>
    public required string Header { get; init; }
    public required SecretText Credential { get; init; }

    /// <summary>Replace a value the request already has (else a request that has the header keeps its own).</summary>
    public bool Overwrite { get; init; }
}

public sealed record MirrorIr
{
    public required string BackendId { get; init; }

    /// <summary>Share of requests mirrored, numerator over denominator (100/100 = all).</summary>
    public int Numerator { get; init; } = 100;
    public int Denominator { get; init; } = 100;
}

public sealed record CorsIr
{
    public EquatableArray<string> AllowOrigins { get; init; } = EquatableArray<string>.Empty;
    public bool AllowCredentials { get; init; }
    public EquatableArray<string> AllowMethods { get; init; } = EquatableArray<string>.Empty;
    public EquatableArray<string> AllowHeaders { get; init; } = EquatableArray<string>.Empty;
    public EquatableArray<string> ExposeHeaders { get; init; } = EquatableArray<string>.Empty;
    public int MaxAgeSeconds { get; init; } = 5;
}

/// <summary>Which failures to reach a backend a BackendTrafficPolicy retry retries (its <c>retryOn.triggers</c>).</summary>
[Flags]
public enum RetryFailures
{
    None = 0,
    /// <summary>The connection could not be made, or not in time (<c>connect-failure</c>, <c>reset-before-request</c>).</summary>
    Connect = 1,
    /// <summary>The backend closed or reset before answering, or answered malformed (<c>reset</c>).</summary>
    Reset = 2,
    /// <summary>The attempt's own timeout passed (<c>reset</c>'s read timeout, <c>5xx</c>, <c>gateway-error</c>).</summary>
    Timeout = 4,
    All = Connect | Reset | Timeout,
}

public sealed record RetryIr
{
    public EquatableArray<int> Codes { get; init; } = EquatableArray<int>.Empty;

    /// <summary>
    /// BackendTrafficPolicy: the failures retried (by kind, whatever status they map to). Null (HTTPRoute retries): every
    /// failure answered 503 (connection errors) is retried, and the others when their status is listed.
    /// </summary>
    public RetryFailures? OnFailures { get; init; }

    /// <summary>gRPC statuses (the <c>grpc-status</c> of a trailers-only answer) retried: <c>cancelled</c>, <c>unavailable</c>...</summary>
    public EquatableArray<int> GrpcCodes { get; init; } = EquatableArray<int>.Empty;
    public int Attempts { get; init; }
    public TimeSpan? Backoff { get; init; }

    /// <summary>
    /// Set (BackendTrafficPolicy <c>backOff</c>): retry n waits <see cref="Backoff"/> × 2^(n−1), at most this long, as
    /// Envoy's exponential back-off does (without its jitter). Null (HTTPRoute <c>retry.backoff</c>): every retry waits
    /// <see cref="Backoff"/>.
    /// </summary>
    public TimeSpan? MaxBackoff { get; init; }
}

public sealed record SessionPersistenceIr
{
    public required string Type { get; init; }
    public required string SessionName { get; init; }
    public TimeSpan? AbsoluteTimeout { get; init; }
    public bool PermanentCookie { get; init; }
}
