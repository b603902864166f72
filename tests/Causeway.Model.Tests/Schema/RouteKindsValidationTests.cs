using static Causeway.Model.Tests.Schema.SchemaTestHelpers;

namespace Causeway.Model.Tests.Schema;

public class RouteKindsValidationTests
{
    [Fact]
    public void ValidGrpcRouteGetsDefaults()
    {
        var obj = Yaml("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: GRPCRoute
            metadata: {name: g, namespace: default}
            spec:
              parentRefs: [{name: gw}]
              rules:
              - matches:
                - method: {service: helloworld.Greeter, method: SayHello}
                  headers: [{name: x-a, value: b}]
                backendRefs: [{name: grpc, port: 50051}]
            """);
        AssertValid(obj);
        var match = obj["spec"]!["rules"]![0]!["matches"]![0]!;
        Assert.Equal("Exact", match["method"]!["type"]!.GetValue<string>());
        Assert.Equal("Exact", match["headers"]![0]!["type"]!.GetValue<string>());
        Assert.Equal(1, obj["spec"]!["rules"]![0]!["backendRefs"]![0]!["weight"]!.GetValue<long>());
    }

    [Fact]
    public void GrpcMethodMatchNeedsServiceOrMethod()
    {
        var obj = Yaml("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: GRPCRoute
            metadata: {name: g, namespace: default}
            spec:
              rules:
              - matches:
                - method: {type: Exact}
                backendRefs: [{name: grpc, port: 50051}]
            """);
        AssertSingleError(obj, "spec.rules[0].matches[0].method", "One or both of 'service' or 'method' must be specified");
    }

    [Fact]
    public void GrpcServiceNameIsValidatedByCelRegex()
    {
        var obj = Yaml("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: GRPCRoute
            metadata: {name: g, namespace: default}
            spec:
              rules:
              - matches:
                - method: {service: "bad service!"}
                backendRefs: [{name: grpc, port: 50051}]
            """);
        AssertSingleError(obj, "spec.rules[0].matches[0].method", "service must only contain valid characters");
    }

    [Fact]
    public void ValidTlsRouteInAllServedVersions()
    {
        foreach (var version in new[] { "v1", "v1alpha2", "v1alpha3" })
        {
            var obj = Yaml($$"""
                apiVersion: gateway.networking.k8s.io/{{version}}
                kind: TLSRoute
                metadata: {name: t, namespace: default}
                spec:
                  parentRefs: [{name: gw, sectionName: tls}]
                  hostnames: ["tls.example.com", "*.wild.example.com"]
                  rules:
                  - backendRefs: [{name: tls-backend, port: 443}]
                """);
            AssertValid(obj);
        }
    }

    [Fact]
    public void TlsRouteHostnameMustNotBeAnIp()
    {
        var obj = Yaml("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: TLSRoute
            metadata: {name: t, namespace: default}
            spec:
              hostnames: ["10.0.0.1"]
              rules:
              - backendRefs: [{name: tls-backend, port: 443}]
            """);
        AssertSingleError(obj, "spec.hostnames", "Hostnames cannot contain an IP");
    }

    [Fact]
    public void TlsRouteRequiresHostnames()
    {
        var obj = Yaml("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: TLSRoute
            metadata: {name: t, namespace: default}
            spec:
              rules:
              - backendRefs: [{name: tls-backend, port: 443}]
            """);
        AssertSingleError(obj, "spec.hostnames", "Required value");
    }

    [Fact]
    public void ValidTcpAndUdpRoutes()
    {
        foreach (var kind in new[] { "TCPRoute", "UDPRoute" })
        {
            var obj = Yaml($$"""
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: {{kind}}
                metadata: {name: r, namespace: default}
                spec:
                  parentRefs: [{name: gw, sectionName: l4}]
                  rules:
                  - backendRefs: [{name: svc, port: 9000}]
                """);
            AssertValid(obj);
            Assert.Equal("Gateway", obj["spec"]!["parentRefs"]![0]!["kind"]!.GetValue<string>());
        }
    }

    [Fact]
    public void TcpRouteRuleRequiresBackendRefs()
    {
        var obj = Yaml("""
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: TCPRoute
            metadata: {name: r, namespace: default}
            spec:
              rules:
              - name: only-name
            """);
        AssertSingleError(obj, "spec.rules[0].backendRefs", "Required value");
    }

    [Fact]
    public void UdpRouteWrongTypeIsRejected()
    {
        var obj = Yaml("""
            apiVersion: gateway.networking.k8s.io/v1alpha2
            kind: UDPRoute
            metadata: {name: r, namespace: default}
            spec:
              rules:
              - backendRefs: [{name: svc, port: 53, weight: "heavy"}]
            """);
        AssertSingleError(obj, "spec.rules[0].backendRefs[0].weight", "Invalid value: \"string\": must be of type integer");
    }

    [Fact]
    public void DuplicateParentRefsAreRejected()
    {
        var obj = Yaml("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: r, namespace: default}
            spec:
              parentRefs: [{name: gw}, {name: gw}]
            """);
        AssertSingleError(obj, "spec.parentRefs", "sectionName or port must be unique when parentRefs includes 2 or more references to the same parent");
    }
}
