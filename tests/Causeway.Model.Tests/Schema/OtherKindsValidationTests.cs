using static Causeway.Model.Tests.Schema.SchemaTestHelpers;

namespace Causeway.Model.Tests.Schema;

public class OtherKindsValidationTests
{
    [Fact]
    public void ValidGatewayClass()
    {
        var obj = Yaml("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata: {name: causeway}
            spec:
              controllerName: causeway.dev/gateway-controller
              parametersRef: {group: causeway.dev, kind: Config, name: c}
            """);
        AssertValid(obj);
    }

    [Fact]
    public void GatewayClassControllerNameMustBeDomainPrefixed()
    {
        var obj = Yaml("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata: {name: causeway}
            spec:
              controllerName: causeway
            """);
        AssertSingleError(obj, "spec.controllerName", "Invalid value: \"causeway\": should match");
    }

    [Fact]
    public void ValidReferenceGrantInBothVersions()
    {
        foreach (var version in new[] { "v1beta1", "v1" })
        {
            var obj = Yaml($$"""
                apiVersion: gateway.networking.k8s.io/{{version}}
                kind: ReferenceGrant
                metadata: {name: rg, namespace: backends}
                spec:
                  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default}]
                  to: [{group: "", kind: Service}]
                """);
            AssertValid(obj);
        }
    }

    [Fact]
    public void ReferenceGrantFromNeedsNamespace()
    {
        var obj = Yaml("""
            apiVersion: gateway.networking.k8s.io/v1beta1
            kind: ReferenceGrant
            metadata: {name: rg, namespace: backends}
            spec:
              from: [{group: gateway.networking.k8s.io, kind: HTTPRoute}]
              to: [{group: "", kind: Service}]
            """);
        AssertSingleError(obj, "spec.from[0].namespace", "Required value");
    }

    [Fact]
    public void ReferenceGrantTooManyFromsIsRejected()
    {
        var froms = string.Join(", ", Enumerable.Range(0, 17).Select(i => $"{{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: ns{i}}}"));
        var obj = Yaml($$"""
            apiVersion: gateway.networking.k8s.io/v1beta1
            kind: ReferenceGrant
            metadata: {name: rg, namespace: backends}
            spec:
              from: [{{froms}}]
              to: [{group: "", kind: Service}]
            """);
        AssertSingleError(obj, "spec.from", "Too many: 17: must have at most 16 items");
    }

    [Fact]
    public void ValidBackendTlsPolicy()
    {
        var obj = Yaml("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: BackendTLSPolicy
            metadata: {name: p, namespace: default}
            spec:
              targetRefs: [{group: "", kind: Service, name: backend}]
              validation:
                hostname: backend.example.com
                caCertificateRefs: [{group: "", kind: ConfigMap, name: ca}]
            """);
        AssertValid(obj);
    }

    [Fact]
    public void BackendTlsPolicyNeedsCaOrWellKnown()
    {
        var obj = Yaml("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: BackendTLSPolicy
            metadata: {name: p, namespace: default}
            spec:
              targetRefs: [{group: "", kind: Service, name: backend}]
              validation:
                hostname: backend.example.com
            """);
        AssertSingleError(obj, "spec.validation", "must specify either CACertificateRefs or WellKnownCACertificates");
    }

    [Fact]
    public void BackendTlsPolicyWellKnownValueIsValidated()
    {
        var obj = Yaml("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: BackendTLSPolicy
            metadata: {name: p, namespace: default}
            spec:
              targetRefs: [{group: "", kind: Service, name: backend}]
              validation:
                hostname: backend.example.com
                wellKnownCACertificates: Everything
            """);
        AssertSingleError(obj, "spec.validation.wellKnownCACertificates", "Invalid value: \"Everything\": should match '^(System|");
    }

    [Fact]
    public void ValidListenerSetGetsDefaults()
    {
        var obj = Yaml("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: ListenerSet
            metadata: {name: ls, namespace: default}
            spec:
              parentRef: {name: gw}
              listeners:
              - name: extra
                port: 8080
                protocol: HTTP
            """);
        AssertValid(obj);
        Assert.Equal("Gateway", obj["spec"]!["parentRef"]!["kind"]!.GetValue<string>());
        Assert.Equal("gateway.networking.k8s.io", obj["spec"]!["parentRef"]!["group"]!.GetValue<string>());
        Assert.Equal("""{"namespaces":{"from":"Same"}}""", obj["spec"]!["listeners"]![0]!["allowedRoutes"]!.ToJsonString());
    }

    [Fact]
    public void ListenerSetRequiresParentRef()
    {
        var obj = Yaml("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: ListenerSet
            metadata: {name: ls, namespace: default}
            spec:
              listeners:
              - name: extra
                port: 8080
                protocol: HTTP
            """);
        AssertSingleError(obj, "spec.parentRef", "Required value");
    }

    [Fact]
    public void UnknownKindOrVersionIsReported()
    {
        var obj = Yaml("""
            apiVersion: gateway.networking.k8s.io/v9
            kind: HTTPRoute
            metadata: {name: r}
            spec: {}
            """);
        AssertSingleError(obj, "", "no matches for kind \"HTTPRoute\" in version \"gateway.networking.k8s.io/v9\"");
    }

    [Fact]
    public void MissingSpecIsRequired()
    {
        var obj = Yaml("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: gw}
            """);
        AssertSingleError(obj, "spec", "Required value");
    }

    [Fact]
    public void MetadataAndStatusAreNotValidatedBySchema()
    {
        var obj = Yaml("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata: {name: c, labels: {a: b}, whatever: 1}
            spec: {controllerName: causeway.dev/c}
            status: {anything: goes}
            """);
        AssertValid(obj);
        Assert.Equal("goes", obj["status"]!["anything"]!.GetValue<string>());
    }
}
