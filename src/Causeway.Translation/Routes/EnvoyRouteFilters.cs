using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Snapshot;
using Causeway.Translation.Ir;
using Causeway.Translation.Status;

namespace Causeway.Translation.Routes;

/// <summary>
/// Envoy Gateway <c>HTTPRouteFilter</c>s named by an HTTPRoute rule's <c>ExtensionRef</c> filter (same namespace as the
/// route). What Causeway serves becomes a rule filter; a filter that is missing, or asks for what Causeway does not
/// serve yet, is a problem: the rule answers 500 and the route's ResolvedRefs says why (Gateway API semantics).
/// </summary>
internal sealed class EnvoyRouteFilters(ResourceSnapshot s)
{
    /// <summary>The ConfigMap key a <c>ValueRef</c> body is read from, as in Envoy Gateway.</summary>
    public const string BodyKey = "response.body";

    public HttpFilterIr? Resolve(Route route, string name, string field, out BackendProblem? problem)
    {
        problem = null;
        var filter = s.Get<EnvoyHttpRouteFilter>("HTTPRouteFilter", route.Namespace, name);
        if (filter is null)
        {
            problem = new BackendProblem(Reasons.BackendNotFound, $"{field}: HTTPRouteFilter {route.Namespace}/{name} not found");
            return null;
        }
        var spec = filter.Spec;
        string? unsupported = spec.UrlRewrite is not null ? "urlRewrite"
            : spec.Unmodelled is { Count: > 0 } extra ? extra.Keys.Order(StringComparer.Ordinal).First()
            : spec.DirectResponse?.Unmodelled is { Count: > 0 } more ? "directResponse." + more.Keys.Order(StringComparer.Ordinal).First()
            : null;
        if (unsupported is not null)
        {
            problem = new BackendProblem(Reasons.UnsupportedValue, $"{field}: HTTPRouteFilter {route.Namespace}/{name}: spec.{unsupported} is not supported by Causeway yet");
            return null;
        }
        if (spec.DirectResponse is not { } dr)
        {
            problem = new BackendProblem(Reasons.UnsupportedValue, $"{field}: HTTPRouteFilter {route.Namespace}/{name} sets nothing Causeway serves");
            return null;
        }
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
                        $"{field}: HTTPRouteFilter {route.Namespace}/{name}: spec.directResponse.body.valueRef: ConfigMap {route.Namespace}/{b.ValueRef?.Name} not found or has no '{BodyKey}'");
                    return null;
                }
            }
        }
        return new HttpFilterIr { DirectResponse = new DirectResponseIr { Status = dr.StatusCode ?? 200, Body = body, ContentType = dr.ContentType } };
    }
}
