using System.Text;
using Causeway.Model.Loading;
using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Snapshot;
using Causeway.Translation.Ir;
using Causeway.Translation.Status;

namespace Causeway.Translation.Routes;

/// <summary>
/// Envoy Gateway <c>HTTPRouteFilter</c>s named by an HTTPRoute rule's <c>ExtensionRef</c> filter (same namespace as the
/// route). What Causeway serves becomes rule filters (<c>directResponse</c>, <c>urlRewrite</c>,
/// <c>credentialInjection</c>); a filter that is missing or invalid, or asks for what Causeway does not serve, is a
/// problem: the rule answers 500 and the route's ResolvedRefs says why (Gateway API semantics).
/// </summary>
internal sealed class EnvoyRouteFilters(ResourceSnapshot s)
{
    /// <summary>The ConfigMap key a <c>ValueRef</c> body is read from, as in Envoy Gateway.</summary>
    public const string BodyKey = "response.body";

    /// <summary>The Secret key a <c>credentialInjection</c> credential is read from, as in Envoy Gateway.</summary>
    public const string CredentialKey = "credential";

    public IReadOnlyList<HttpFilterIr>? Resolve(Route route, string name, string field, out BackendProblem? problem)
    {
        problem = null;
        var filter = s.Get<EnvoyHttpRouteFilter>("HTTPRouteFilter", route.Namespace, name);
        var what = $"{field}: HTTPRouteFilter {route.Namespace}/{name}";
        if (filter is null)
        {
            problem = new BackendProblem(Reasons.BackendNotFound, $"{what} not found");
            return null;
        }
        var spec = filter.Spec;
        string? unsupported = spec.Unmodelled is { Count: > 0 } extra ? extra.Keys.Order(StringComparer.Ordinal).First()
            : spec.DirectResponse?.Unmodelled is { Count: > 0 } more ? "directResponse." + more.Keys.Order(StringComparer.Ordinal).First()
            : spec.UrlRewrite?.Unmodelled is { Count: > 0 } rw ? "urlRewrite." + rw.Keys.Order(StringComparer.Ordinal).First()
            : spec.CredentialInjection?.Unmodelled is { Count: > 0 } ci ? "credentialInjection." + ci.Keys.Order(StringComparer.Ordinal).First()
            : null;
        if (unsupported is not null)
        {
            problem = new BackendProblem(Reasons.UnsupportedValue, $"{what}: spec.{unsupported} is not supported by Causeway yet");
            return null;
        }
        var result = new List<HttpFilterIr>(2);
        if (spec.DirectResponse is { } dr)
        {
            if (DirectResponse(route, dr, what, out problem) is not { } d) return null;
            result.Add(new HttpFilterIr { DirectResponse = d });
        }
        if (spec.UrlRewrite is { } uw)
        {
            if (UrlRewrite(uw, what, out problem) is not { } u) return null;
            result.Add(new HttpFilterIr { UrlRewrite = u });
        }
        if (spec.CredentialInjection is { } inject)
        {
            if (CredentialInjection(filter, inject, what, out problem) is not { } c) return null;
            result.Add(new HttpFilterIr { CredentialInjection = c });
        }
        if (result.Count == 0)
        {
            problem = new BackendProblem(Reasons.UnsupportedValue, $"{what} sets nothing Causeway serves");
            return null;
        }
        return result;
    }

    private DirectResponseIr? DirectResponse(Route route, DirectResponseSpec dr, string what, out BackendProblem? problem)
    {
        problem = null;
        string? body = null;
        if (dr.Body is { } b)
        {
            if (b.Type is null or "Inline") body = b.Inline ?? "";
            else
            {
                var cm = b.ValueRef is { Kind: "ConfigMap" } r ? s.Get<ConfigMap>("ConfigMap", route.Namespace, r.Name) : null;
                body = cm?.Data.GetValueOrDefault(BodyKey);
                if (body is null)
                {
                    problem = new BackendProblem(Reasons.BackendNotFound,
                        $"{what}: spec.directResponse.body.valueRef: ConfigMap {route.Namespace}/{b.ValueRef?.Name} not found or has no '{BodyKey}'");
                    return null;
                }
            }
        }
        return new DirectResponseIr { Status = dr.StatusCode ?? 200, Body = body, ContentType = dr.ContentType };
    }

    private static UrlRewriteIr? UrlRewrite(UrlRewriteFilterSpec uw, string what, out BackendProblem? problem)
    {
        problem = null;
        PathModifierIr? path = null;
        if (uw.Path is { } p)
        {
            if (p.Type != "ReplaceRegexMatch" || p.ReplaceRegexMatch is not { } rx)
            {
                problem = Invalid($"{what}: spec.urlRewrite.path: type '{p.Type}' with replaceRegexMatch is the only path rewrite (type ReplaceRegexMatch)");
                return null;
            }
            if (RouteRegex.SubstitutionProblem(rx.Pattern, rx.Substitution) is { } why)
            {
                problem = Invalid($"{what}: spec.urlRewrite.path.replaceRegexMatch: {why}");
                return null;
            }
            if (rx.Substitution.Any(c => c is <= ' ' or > '~'))
            {
                problem = Invalid($"{what}: spec.urlRewrite.path.replaceRegexMatch.substitution: spaces, control and non-ASCII characters are not allowed in a path");
                return null;
            }
            path = new PathModifierIr(PathModifierKind.ReplaceRegexMatch, rx.Pattern) { Substitution = rx.Substitution };
        }
        var rewrite = new UrlRewriteIr { Path = path, AppendXForwardedHost = uw.AppendXForwardedHost == false ? false : null };
        if (uw.Hostname is { } h)
        {
            var at = $"{what}: spec.urlRewrite.hostname";
            switch (h.Type)
            {
                case "Header" when !string.IsNullOrEmpty(h.Header) && h.PathRegex is null:
                    if (!HeaderSyntax.IsToken(h.Header))
                    {
                        problem = Invalid($"{at}.header: '{h.Header}' is not a header name");
                        return null;
                    }
                    rewrite = rewrite with { HostnameFromHeader = h.Header.ToLowerInvariant() };
                    break;
                case "Backend" when h.Header is null && h.PathRegex is null:
                    rewrite = rewrite with { HostnameFromBackend = true };
                    break;
                case "PathRegex" when h.PathRegex is { } pr && h.Header is null:
                    if (RouteRegex.SubstitutionProblem(pr.Pattern, pr.Substitution) is { } why)
                    {
                        problem = Invalid($"{at}.pathRegex: {why}");
                        return null;
                    }
                    if (pr.Substitution.Any(c => c is <= ' ' or > '~'))
                    {
                        problem = Invalid($"{at}.pathRegex.substitution: spaces, control and non-ASCII characters are not allowed in a hostname");
                        return null;
                    }
                    rewrite = rewrite with { HostnameFromPath = new PathModifierIr(PathModifierKind.ReplaceRegexMatch, pr.Pattern) { Substitution = pr.Substitution } };
                    break;
                default:
                    problem = Invalid($"{at}: type '{h.Type}' needs exactly its own field (Header: header, Backend: none, PathRegex: pathRegex)");
                    return null;
            }
        }
        if (rewrite.Path is null && rewrite.HostnameFromHeader is null && rewrite.HostnameFromBackend is null && rewrite.HostnameFromPath is null)
        {
            problem = Invalid($"{what}: spec.urlRewrite sets neither path nor hostname");
            return null;
        }
        return rewrite;
    }

    private CredentialInjectionIr? CredentialInjection(EnvoyHttpRouteFilter filter, CredentialInjectionSpec spec, string what, out BackendProblem? problem)
    {
        problem = null;
        var at = $"{what}: spec.credentialInjection";
        var header = string.IsNullOrEmpty(spec.Header) ? "authorization" : spec.Header;
        if (!HeaderSyntax.IsToken(header))
        {
            problem = Invalid($"{at}.header: '{header}' is not a header name");
            return null;
        }
        if (spec.Credential.ValueRef is not { } r || string.IsNullOrEmpty(r.Name))
        {
            problem = Invalid($"{at}.credential.valueRef: a Secret name is required");
            return null;
        }
        if ((r.Group ?? "") != "" || (r.Kind ?? "Secret") != "Secret")
        {
            problem = Invalid($"{at}.credential.valueRef: only core Secrets are supported, not {r.Group}/{r.Kind}");
            return null;
        }
        var ns = r.Namespace ?? filter.Namespace;
        if (!ReferenceGrants.Allows(s, KindRegistry.EnvoyGroup, "HTTPRouteFilter", filter.Namespace, "", "Secret", ns, r.Name))
        {
            problem = new BackendProblem(Reasons.RefNotPermitted, $"{at}.credential.valueRef: Secret {ns}/{r.Name} is in another namespace and no ReferenceGrant allows it");
            return null;
        }
        var secret = s.Get<Secret>("Secret", ns, r.Name);
        if (secret is null)
        {
            problem = new BackendProblem(Reasons.BackendNotFound, $"{at}.credential.valueRef: Secret {ns}/{r.Name} not found");
            return null;
        }
        if (!secret.Data.TryGetValue(CredentialKey, out var bytes) || bytes.Length == 0)
        {
            problem = Invalid($"{at}.credential.valueRef: Secret {ns}/{r.Name} has no '{CredentialKey}' key");
            return null;
        }
        var value = Encoding.UTF8.GetString(bytes).Trim();
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                // The value itself never goes to status or logs.
                problem = Invalid($"{at}.credential.valueRef: Secret {ns}/{r.Name} key '{CredentialKey}' is not a valid header value (printable ASCII only)");
                return null;
            }
        }
        return new CredentialInjectionIr { Header = header.ToLowerInvariant(), Credential = new SecretText(value), Overwrite = spec.Overwrite == true };
    }

    private static BackendProblem Invalid(string message) => new(Reasons.UnsupportedValue, message);
}
