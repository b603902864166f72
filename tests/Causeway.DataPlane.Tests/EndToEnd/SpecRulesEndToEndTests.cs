using System.Net;
using Causeway.Echo;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>
/// Spec rules whose effect is traffic, through <c>causeway run</c> and real sockets, changed by rewriting files: a
/// BackendTLSPolicy without a usable CA makes connections fail with a 5xx (never cleartext to the backend), and
/// removing a ReferenceGrant revokes the cross-namespace backend it allowed.
/// </summary>
[Collection(LatencyCollection.Name)]
public sealed class SpecRulesEndToEndTests
{
    private const int Pool = 119;

    /// <summary>Service <c>web</c> in <paramref name="ns"/> (declared unless it is <c>test</c>, which Manifests declares).</summary>
    private static string Backend(string ns, string address, int port) => (ns == "test" ? "" : $"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n---\n") + $$"""
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: {{ns}}}
        spec:
          ports: [{name: http, port: 80, protocol: TCP}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: web-1
          namespace: {{ns}}
          labels: {kubernetes.io/service-name: web}
        addressType: IPv4
        ports: [{name: http, port: {{port}}, protocol: TCP}]
        endpoints: [{addresses: ["{{address}}"]}]
        ---

        """;

    private static string Route(string backendNamespace) => $$"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: web, namespace: test}
        spec:
          parentRefs: [{name: gw}]
          hostnames: [web.example.com]
          rules: [{backendRefs: [{name: web, namespace: {{backendNamespace}}, port: 80}]}]
        ---

        """;

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client)
    {
        using var r = await client.GetAsync("http://web.example.com:8080/");
        return r.StatusCode;
    }

    [Fact]
    public async Task BackendTlsPolicyWithoutUsableCa_FailsWith5xx_NeverCleartext_AndRemovingItRestoresCleartext()
    {
        await using var echo = await EchoServer.StartAsync(new EchoOptions
        {
            BindAddress = IPAddress.Parse("127.63.119.1"), HttpPort = 0, H2cPort = 0, HttpsPort = 0, PodName = "plain", Log = _ => { },
        });
        const string MissingCa = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: BackendTLSPolicy
            metadata: {name: web-tls, namespace: test}
            spec:
              targetRefs: [{group: "", kind: Service, name: web}]
              validation:
                caCertificateRefs: [{group: "", kind: ConfigMap, name: no-such-ca}]
                hostname: web.example.com
            """;
        const string UnknownWellKnown = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: BackendTLSPolicy
            metadata: {name: web-tls, namespace: test}
            spec:
              targetRefs: [{group: "", kind: Service, name: web}]
              validation:
                wellKnownCACertificates: corp.example.com/internal-cas
                hostname: web.example.com
            """;
        await using var run = await CausewayRun.StartAsync("", Pool, d =>
        {
            File.WriteAllText(Path.Combine(d, "base.yaml"), Manifests.GatewayClass + "---\n" + Manifests.Gateway() + "---\n"
                + Backend("test", "127.63.119.1", echo.BoundPorts["http"]) + Route("test"));
            File.WriteAllText(Path.Combine(d, "policy.yaml"), MissingCa);
        });
        using var client = E2e.Client(run.GatewayAddress);

        // The backend speaks cleartext: a gateway that ignored the broken policy would answer 200.
        await E2e.EventuallyAsync(async () => (int)await StatusAsync(client) is >= 500 and < 600, E2e.Timeout, "5xx with the invalid policy");
        for (var i = 0; i < 5; i++) Assert.InRange((int)await StatusAsync(client), 500, 599);

        File.Delete(Path.Combine(run.Dir, "policy.yaml"));
        await E2e.EventuallyAsync(async () => await StatusAsync(client) == HttpStatusCode.OK, E2e.Timeout, "cleartext once the policy is gone");

        run.SaveLikeEditor("policy.yaml", UnknownWellKnown);
        await E2e.EventuallyAsync(async () => (int)await StatusAsync(client) is >= 500 and < 600, E2e.Timeout, "5xx with an unknown wellKnownCACertificates");
        Assert.Equal(0, await run.StopAsync());
    }

    [Fact]
    public async Task RemovingTheReferenceGrant_RevokesTheBackend_AndRestoringItRestoresIt()
    {
        await using var echo = await EchoServer.StartAsync(new EchoOptions
        {
            BindAddress = IPAddress.Parse("127.63.119.2"), HttpPort = 0, H2cPort = 0, HttpsPort = 0, PodName = "other-ns", Log = _ => { },
        });
        const string Grant = """
            apiVersion: gateway.networking.k8s.io/v1beta1
            kind: ReferenceGrant
            metadata: {name: from-test, namespace: backends}
            spec:
              from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: test}]
              to: [{group: "", kind: Service}]
            """;
        await using var run = await CausewayRun.StartAsync("", Pool + 1, d =>
        {
            File.WriteAllText(Path.Combine(d, "base.yaml"), Manifests.GatewayClass + "---\n" + Manifests.Gateway() + "---\n"
                + Backend("backends", "127.63.119.2", echo.BoundPorts["http"]) + Route("backends"));
            File.WriteAllText(Path.Combine(d, "grant.yaml"), Grant);
        });
        using var client = E2e.Client(run.GatewayAddress);
        await E2e.EventuallyAsync(async () => await StatusAsync(client) == HttpStatusCode.OK, E2e.Timeout, "the granted backend");

        File.Delete(Path.Combine(run.Dir, "grant.yaml"));
        await E2e.EventuallyAsync(async () => await StatusAsync(client) == HttpStatusCode.InternalServerError, E2e.Timeout, "500 once the grant is gone");
        // The data plane swaps before the status is published: wait for the route's status too.
        await E2e.EventuallyAsync(async () => (await run.StatusAsync()).ToJsonString().Contains("RefNotPermitted", StringComparison.Ordinal),
            E2e.Timeout, "the route's status naming RefNotPermitted");

        run.SaveLikeEditor("grant.yaml", Grant);
        await E2e.EventuallyAsync(async () => await StatusAsync(client) == HttpStatusCode.OK, E2e.Timeout, "the backend once granted again");
        Assert.Equal(0, await run.StopAsync());
    }

    [Fact]
    public async Task GrpcRouteWithInvalidBackends_AnswersGrpcUnavailable_NotHttp500()
    {
        await using var echo = await EchoServer.StartAsync(new EchoOptions
        {
            BindAddress = IPAddress.Parse("127.63.119.3"), HttpPort = 0, H2cPort = 0, HttpsPort = 0, PodName = "unused", Log = _ => { },
        });
        const string Routes = """
            apiVersion: gateway.networking.k8s.io/v1
            kind: GRPCRoute
            metadata: {name: grpc, namespace: test}
            spec:
              parentRefs: [{name: gw}]
              hostnames: [grpc.example.com]
              rules:
              - matches: [{method: {service: demo.Echo, method: Missing}}]
                backendRefs: [{name: no-such-service, port: 50051}]
              - matches: [{method: {service: demo.Echo, method: Share}}]
                backendRefs: [{name: no-such-service, port: 50051, weight: 1}, {name: web, port: 80, weight: 0}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: http, namespace: test}
            spec:
              parentRefs: [{name: gw}]
              hostnames: [http.example.com]
              rules: [{backendRefs: [{name: no-such-service, port: 80}]}]
            """;
        await using var run = await CausewayRun.StartAsync("", Pool + 2, d =>
            File.WriteAllText(Path.Combine(d, "base.yaml"), Manifests.GatewayClass + "---\n" + Manifests.Gateway() + "---\n"
                + Backend("test", "127.63.119.3", echo.BoundPorts["http"]) + Routes));
        using var client = E2e.Client(run.GatewayAddress);

        async Task<(HttpStatusCode Status, string? GrpcStatus)> CallAsync(string method)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://grpc.example.com:8080/demo.Echo/{method}")
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact, // h2c with prior knowledge, as gRPC clients do
                Content = new ByteArrayContent([0, 0, 0, 0, 0]),
            };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
            request.Headers.TryAddWithoutValidation("te", "trailers");
            using var response = await client.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            var grpcStatus = response.Headers.TryGetValues("grpc-status", out var h) ? h.First()
                : response.TrailingHeaders.TryGetValues("grpc-status", out var t) ? t.First() : null;
            return (response.StatusCode, grpcStatus);
        }

        // GRPCRoute CRD spec.rules[].backendRefs: invalid backends MUST answer gRPC UNAVAILABLE (14), for the whole rule
        // and for an invalid backendRef's share.
        await E2e.EventuallyAsync(async () => (await CallAsync("Missing")).GrpcStatus is not null, E2e.Timeout, "the GRPCRoute");
        Assert.Equal((HttpStatusCode.OK, "14"), await CallAsync("Missing"));
        Assert.Equal((HttpStatusCode.OK, "14"), await CallAsync("Share"));

        // An HTTPRoute's invalid backend stays HTTP 500.
        using var http = await client.GetAsync("http://http.example.com:8080/");
        Assert.Equal(HttpStatusCode.InternalServerError, http.StatusCode);
        Assert.Equal(0, await run.StopAsync());
    }
}
