using System.Collections.Immutable;
using Causeway.Model.Loading;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Translation.Status;

namespace Causeway.Translation.Tests;

/// <summary>
/// Spec rules that need more than one translation (a change between two snapshots) or objects that bypassed the CRD
/// schema; the rest of the rule-by-rule walk is in golden files (docs/spec-coverage.md lists both).
/// </summary>
public sealed class SpecRuleTests
{
    private const string Base = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: eg}
        spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: apps}
        spec:
          gatewayClassName: eg
          listeners:
          - {name: http, protocol: HTTP, port: 80}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: svc, namespace: backends}
        spec:
          ports: [{port: 80, targetPort: 8080}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: svc-1, namespace: backends, labels: {kubernetes.io/service-name: svc}}
        addressType: IPv4
        ports: [{port: 8080}]
        endpoints: [{addresses: [10.0.0.1]}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: web, namespace: apps}
        spec:
          parentRefs: [{name: gw}]
          rules:
          - backendRefs: [{name: svc, namespace: backends, port: 80}]
        ---

        """;

    private const string Grant = """
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: ReferenceGrant
        metadata: {name: web-to-backends, namespace: backends}
        spec:
          from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: apps}]
          to: [{group: "", kind: Service}]
        ---

        """;

    private static ResourceSnapshot Snapshot(string yaml, bool schema = true)
    {
        var load = new ManifestLoader(schema ? TestData.Validator : null).LoadText(yaml, "test.yaml");
        Assert.Empty(load.Errors);
        return ResourceSnapshot.Create(load.Objects);
    }

    private static TranslationResult Translate(ResourceSnapshot snapshot, TranslationResult? previous = null) =>
        Translator.Translate(snapshot, GoldenTests.Options with
        {
            PreviousStatuses = previous?.Statuses.ToImmutableDictionary(s => s.Key, s => (object)s.Status) ?? ImmutableDictionary<ObjectKey, object>.Empty,
        });

    private static Condition Parent(TranslationResult result, string kind, string name, string type) =>
        ((RouteStatus)result.Statuses.Single(s => s.Key.Kind == kind && s.Key.Name == name).Status).Parents.Single().Conditions.Single(c => c.Type == type);

    private static string[] RuleBackends(TranslationResult result) =>
        [.. result.Gateways.Single().Ports.SelectMany(p => p.Listeners).SelectMany(l => l.Http!.VirtualHosts).SelectMany(v => v.Matches)
            .SelectMany(m => m.Rule.Backends).Select(b => b.BackendId ?? "(invalid reference)")];

    [Fact]
    public void RemovingTheReferenceGrant_RevokesTheCrossNamespaceBackend()
    {
        var granted = Translate(Snapshot(Base + Grant));
        Assert.Equal("True", Parent(granted, "HTTPRoute", "web", "ResolvedRefs").Status);
        Assert.Equal(["backends/svc:80"], RuleBackends(granted));
        Assert.Contains(granted.Gateways.Single().Backends, b => b.Id == "backends/svc:80");

        // ReferenceGrant spec: access lasts only while the grant exists.
        var revoked = Translate(Snapshot(Base), granted);
        var resolved = Parent(revoked, "HTTPRoute", "web", "ResolvedRefs");
        Assert.Equal(("False", Reasons.RefNotPermitted), (resolved.Status, resolved.Reason));
        Assert.Contains("spec.rules[0].backendRefs[0]: Service backends/svc", resolved.Message, StringComparison.Ordinal);
        Assert.Equal("True", Parent(revoked, "HTTPRoute", "web", "Accepted").Status); // still attached, answering 500
        Assert.Equal(["(invalid reference)"], RuleBackends(revoked));
        Assert.DoesNotContain(revoked.Gateways.Single().Backends, b => b.Id == "backends/svc:80");
        Assert.Equal(GoldenTests.Options.Now, resolved.LastTransitionTime);

        // And granted again: access comes back.
        var again = Translate(Snapshot(Base + Grant), revoked);
        Assert.Equal("True", Parent(again, "HTTPRoute", "web", "ResolvedRefs").Status);
        Assert.Equal(["backends/svc:80"], RuleBackends(again));
    }

    [Fact]
    public void HttpAndGrpcRouteHostnameConflict_TheNewerIsAcceptedOnceTheOlderGoes()
    {
        const string Routes = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: GRPCRoute
            metadata: {name: grpc, namespace: apps, creationTimestamp: "2025-01-02T00:00:00Z"}
            spec:
              parentRefs: [{name: gw}]
              hostnames: [api.example.com]
              rules: [{backendRefs: [{name: svc, namespace: backends, port: 80}]}]
            ---

            """;
        var both = Translate(Snapshot(Base.Replace("metadata: {name: web, namespace: apps}",
            "metadata: {name: web, namespace: apps, creationTimestamp: \"2025-01-01T00:00:00Z\"}", StringComparison.Ordinal) + Grant + Routes));
        var rejected = Parent(both, "GRPCRoute", "grpc", "Accepted");
        Assert.Equal(("False", Reasons.HostnameConflict), (rejected.Status, rejected.Reason));
        Assert.Contains("HTTPRoute apps/web", rejected.Message, StringComparison.Ordinal);
        Assert.Equal("True", Parent(both, "HTTPRoute", "web", "Accepted").Status);
        var listener = ((GatewayStatus)both.Statuses.Single(s => s.Key.Kind == "Gateway").Status).Listeners.Single();
        Assert.Equal(1, listener.AttachedRoutes);

        var webGone = Snapshot(Base[..Base.IndexOf("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute", StringComparison.Ordinal)] + Grant + Routes);
        var alone = Translate(webGone, both);
        Assert.Equal("True", Parent(alone, "GRPCRoute", "grpc", "Accepted").Status);
    }

    [Theory]
    [InlineData("{name: a, protocol: HTTP, port: 80, hostname: a.example.com}", "{name: b, protocol: HTTP, port: 80, hostname: a.example.com}", "HostnameConflict")]
    [InlineData("{name: a, protocol: TCP, port: 7000}", "{name: b, protocol: TCP, port: 7000}", "HostnameConflict")]
    [InlineData("{name: a, protocol: HTTP, port: 80}", "{name: b, protocol: TCP, port: 80}", "ProtocolConflict")]
    public void IndistinctListenersOfOneGateway_AreAllConflicted_NoWinnerIsPicked(string first, string second, string reason)
    {
        // The CRD's CEL refuses the first two at admission; an object that bypassed it still gets the spec's answer.
        var yaml = $$"""
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata: {name: eg}
            spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw, namespace: apps}
            spec:
              gatewayClassName: eg
              listeners:
              - {{first}}
              - {{second}}
              - {name: other, protocol: HTTP, port: 81}
            """;
        var result = Translate(Snapshot(yaml, schema: false));
        var gw = (GatewayStatus)result.Statuses.Single(s => s.Key.Kind == "Gateway").Status;
        foreach (var name in new[] { "a", "b" })
        {
            var conflicted = gw.Listeners.Single(l => l.Name == name).Conditions.Single(c => c.Type == "Conflicted");
            Assert.Equal(("True", reason), (conflicted.Status, conflicted.Reason));
            Assert.Equal("False", gw.Listeners.Single(l => l.Name == name).Conditions.Single(c => c.Type == "Accepted").Status);
        }
        Assert.Equal("True", gw.Listeners.Single(l => l.Name == "other").Conditions.Single(c => c.Type == "Accepted").Status);
        var accepted = gw.Conditions.Single(c => c.Type == "Accepted");
        Assert.Equal(("True", Reasons.ListenersNotValid), (accepted.Status, accepted.Reason));
        Assert.Equal(["apps/gw/other"], result.Gateways.Single().Ports.SelectMany(p => p.Listeners).Select(l => l.Name));
    }

    [Theory]
    [InlineData("""
          - filters:
            - {type: RequestRedirect, requestRedirect: {scheme: https}}
            - {type: URLRewrite, urlRewrite: {hostname: a.example.com}}
        """, "spec.rules[0].filters: RequestRedirect and URLRewrite may not both be used in one rule")]
    [InlineData("""
          - filters:
            - {type: RequestRedirect, requestRedirect: {scheme: https}}
            backendRefs: [{name: svc, namespace: backends, port: 80}]
        """, "spec.rules[0]: a RequestRedirect filter may not be used together with backendRefs")]
    [InlineData("""
          - matches: [{path: {type: Exact, value: /a}}]
            filters:
            - {type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /b}}}
            backendRefs: [{name: svc, namespace: backends, port: 80}]
        """, "spec.rules[0]: URLRewrite with path.replacePrefixMatch needs exactly one match, of type PathPrefix")]
    [InlineData("""
          - filters:
            - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: a, value: b}]}}
            - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: c, value: d}]}}
            backendRefs: [{name: svc, namespace: backends, port: 80}]
        """, "spec.rules[0].filters: the RequestHeaderModifier filter may be given once per rule")]
    public void FilterCombinationsTheCrdForbids_RejectTheRouteNamingTheField_WhenTheSchemaDidNot(string rules, string message)
    {
        var yaml = Base + Grant + "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: bad, namespace: apps}\nspec:\n  parentRefs: [{name: gw}]\n  hostnames: [bad.example.com]\n  rules:\n" + rules;
        var result = Translate(Snapshot(yaml, schema: false));
        var accepted = Parent(result, "HTTPRoute", "bad", "Accepted");
        Assert.Equal(("False", Reasons.UnsupportedValue), (accepted.Status, accepted.Reason));
        Assert.Contains(message, accepted.Message, StringComparison.Ordinal);
        Assert.Equal("True", Parent(result, "HTTPRoute", "web", "Accepted").Status); // the neighbour is untouched
    }

    [Fact]
    public void ReplacePrefixMatchWithTheDefaultMatch_IsAccepted()
    {
        var yaml = Base + Grant + """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: ok, namespace: apps}
            spec:
              parentRefs: [{name: gw}]
              hostnames: [ok.example.com]
              rules:
              - filters:
                - {type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /b}}}
                backendRefs: [{name: svc, namespace: backends, port: 80}]
            """;
        Assert.Equal("True", Parent(Translate(Snapshot(yaml, schema: false)), "HTTPRoute", "ok", "Accepted").Status);
    }
}
