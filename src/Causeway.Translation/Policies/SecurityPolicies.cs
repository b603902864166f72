using Causeway.Model;
using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Snapshot;
using Causeway.Translation.Gateways;
using Causeway.Translation.Ir;
using Causeway.Translation.Routes;

namespace Causeway.Translation.Policies;

/// <summary>
/// The SecurityPolicies of one translation: each compiled once, attached by <see cref="PolicyAttachment{TPolicy}"/>
/// (the mechanism BackendTrafficPolicy uses: oldest wins a target, the most specific wins a rule, whole) and applied
/// to the rules of the routes they reach. An invalid policy still holds its targets, so what it protects fails closed.
/// </summary>
internal sealed class SecurityPolicies(ResourceSnapshot s, BackendResolver backends, Func<string, IReadOnlyDictionary<string, string>> namespaceLabels)
    : RulePolicies<SecurityPolicy, CompiledSecurityPolicy>(s.SecurityPolicies, p => SecurityPolicyCompiler.Compile(p, s, backends), s, AllowedKinds, holdsTargets: true, namespaceLabels)
{
    /// <summary>The kinds a SecurityPolicy may target (its CRD's CEL rules).</summary>
    public static readonly IReadOnlySet<string> AllowedKinds = new HashSet<string>(StringComparer.Ordinal)
        { "Gateway", "ListenerSet", "HTTPRoute", "GRPCRoute", "TCPRoute" };

    /// <summary>Envoy Gateway's annotation prefix: annotations with it are a route's metadata (without it).</summary>
    private const string AnnotationPrefix = "gateway.envoyproxy.io/";

    /// <summary><c>extAuth.includeRouteMetadata</c>: the check carries the route's kind, namespace, name, rule name and annotations.</summary>
    protected override HttpRuleIr ForRoute(HttpRuleIr applied, Route route, int ruleIndex)
    {
        if (applied.Security is not { ExtAuth: { IncludeRouteMetadata: true } ext } security) return applied;
        var ruleName = route switch
        {
            HttpRoute h when ruleIndex < h.Spec.Rules.Count => h.Spec.Rules[ruleIndex].Name,
            GrpcRoute g when ruleIndex < g.Spec.Rules.Count => g.Spec.Rules[ruleIndex].Name,
            _ => null,
        };
        var annotations = route.Metadata.Annotations
            .Where(a => a.Key.StartsWith(AnnotationPrefix, StringComparison.Ordinal) && a.Key.Length > AnnotationPrefix.Length)
            .Select(a => new KeyValuePair<string, string>(a.Key[AnnotationPrefix.Length..], a.Value))
            .OrderBy(a => a.Key, StringComparer.Ordinal)
            .ToArray();
        var metadata = new RouteMetadataIr
        {
            Kind = route.Kind,
            Namespace = route.Namespace,
            Name = route.Name,
            SectionName = ruleName,
            Annotations = annotations.Length == 0 ? EquatableArray<KeyValuePair<string, string>>.Empty : new(annotations),
        };
        return applied with { Security = security with { ExtAuth = ext with { RouteMetadata = metadata } } };
    }
}
