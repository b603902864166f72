using System.Text;
using Causeway.Model;
using Causeway.Model.Loading;
using Causeway.Model.Snapshot;
using Causeway.Translation;
using Causeway.Translation.Ir;
using Causeway.DataPlane.Tests.Support;

namespace Causeway.DataPlane.Tests.Policies.ClientTraffic;

/// <summary>
/// Envoy Gateway manifests as written (a ClientTrafficPolicy with clientValidation and xForwardedClientCert, its CA in a
/// Secret) through the translator into a running data plane, with curl as the client: valid certificate served and
/// the XFCC header at the backend, missing or foreign certificate refused, and the CA Secret rotated on reload.
/// </summary>
public sealed class ClientValidationManifestTests() : TwoHostTlsTest("manifest-ca")
{
    private static readonly TranslatorOptions Options = new()
    {
        ControllerNames = [TranslatorOptions.DefaultControllerName, TranslatorOptions.EnvoyGatewayControllerName],
        Now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
    };

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private string Manifests(string caPem) => $$"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: eg}
        spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: test}
        spec:
          gatewayClassName: eg
          listeners:
          - name: https
            protocol: HTTPS
            port: 443
            hostname: a.example.com
            tls:
              certificateRefs:
              - name: server
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: server, namespace: test}
        type: kubernetes.io/tls
        data:
          tls.crt: {{B64(CertA.CertificatePem)}}
          tls.key: {{B64(CertA.KeyPem)}}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: client-ca, namespace: test}
        data:
          ca.crt: {{B64(caPem)}}
        ---
        apiVersion: gateway.envoyproxy.io/v1alpha1
        kind: ClientTrafficPolicy
        metadata: {name: mtls, namespace: test}
        spec:
          targetRefs:
          - {group: gateway.networking.k8s.io, kind: Gateway, name: gw}
          tls:
            clientValidation:
              caCertificateRefs:
              - {kind: Secret, group: "", name: client-ca}
          headers:
            xForwardedClientCert:
              mode: SanitizeSet
              certDetailsToAdd: [Subject]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: web, namespace: test}
        spec:
          parentRefs: [{name: gw}]
          rules:
          - backendRefs: [{name: echo, port: 80}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: echo, namespace: test}
        spec:
          ports: [{name: http, protocol: TCP, port: 80, targetPort: {{EchoA.Port}}}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: echo-1
          namespace: test
          labels: {kubernetes.io/service-name: echo}
        addressType: IPv4
        ports: [{name: http, protocol: TCP, port: {{EchoA.Port}}}]
        endpoints:
        - addresses: [127.0.0.1]
          conditions: {ready: true}
        """;

    /// <summary>The translated Gateway, its port moved to 0 (any free port) for the test.</summary>
    private GatewayIr Translate(string caPem)
    {
        var load = new ManifestLoader(CrdObjectValidator.Default).LoadText(Manifests(caPem), "test");
        Assert.Empty(load.Errors);
        var result = Translator.Translate(ResourceSnapshot.Create(load.Objects), Options);
        var gw = Assert.Single(result.Gateways);
        return gw with { Ports = new EquatableArray<PortIr>(gw.Ports.Select(p => p with { Port = 0 })) };
    }

    [Fact]
    public async Task Policy_from_manifests_validates_clients_sets_xfcc_and_follows_ca_rotation()
    {
        var client = TestCerts.CreateLeaf(Ca, "client");
        var next = TestCerts.CreateCa("next-ca");
        var nextClient = TestCerts.CreateLeaf(next, "next-client");
        await using var g = await TestGateway.StartAsync(Translate(Ca.CertificatePem));

        var (exit, body, status, errors) = await TlsClients.CurlAsync(g.Port, "a.example.com", client);
        Assert.True(status == "200", $"curl exit {exit}, status {status}: {errors}{body}");
        var echo = System.Text.Json.JsonSerializer.Deserialize<EchoReply>(body, System.Text.Json.JsonSerializerOptions.Web)!;
        Assert.Matches("^Hash=[0-9a-f]{64};Subject=\"CN=client\"$", echo.Headers["x-forwarded-client-cert"]);
        Assert.Equal("000", (await TlsClients.CurlAsync(g.Port, "a.example.com", null)).Status);
        Assert.Equal("000", (await TlsClients.CurlAsync(g.Port, "a.example.com", nextClient)).Status);

        // The CA Secret changes: the next translation and apply trust the new CA only.
        await g.ApplyAsync(Translate(next.CertificatePem));
        Assert.Equal("200", (await TlsClients.CurlAsync(g.Port, "a.example.com", nextClient)).Status);
        Assert.Equal("000", (await TlsClients.CurlAsync(g.Port, "a.example.com", client)).Status);
    }
}
