using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Causeway.Conformance.Harness;
using Causeway.Conformance.Harness.Cluster;
using Causeway.Conformance.Harness.Corpus;
using Causeway.Conformance.Harness.Requests;
using Causeway.Model.Objects;

namespace Causeway.Conformance.Unit;

public sealed class ClusterTests
{
    private const string Generated = """
        objects:
          - {secret: web/certificate, type: selfSignedServer, hosts: ['*']}
          - {configMap: infra/ca3, type: ca, ca: CA-3}
          - secret: infra/server
            type: caSignedServer
            hosts: [abc.example.com, 'spiffe://abc.example.com/test-identity', other.example.com]
            issuer: CA-3
          - {secret: infra/client, type: caSignedClient, issuer: CA-3}
          - {configMap: infra/other-ca, type: ca, ca: CA-4}
        """;

    [Fact]
    public void GeneratedCertificatesFollowTheSuite()
    {
        var g = GeneratedResources.Parse(Generated);
        Assert.Equal(5, g.Objects.Count);
        var server = g.Secret("infra/server")!;
        Assert.Contains("-----BEGIN RSA PRIVATE KEY-----", server.KeyPem);
        Assert.Equal(2048, server.Certificate.GetRSAPublicKey()!.KeySize);
        Assert.Equal("CN=default, O=Acme Co", server.Certificate.Subject);
        var (dns, _) = TlsTrust.SubjectAltNames(server.Certificate);
        Assert.Equal(["abc.example.com", "other.example.com"], dns);
        Assert.Contains("spiffe://abc.example.com/test-identity", server.Certificate.Extensions["2.5.29.17"]!.Format(false));

        using var ca = X509Certificate2.CreateFromPem(g.ConfigMapCa("infra/ca3")!);
        Assert.Equal("CN=gatewayapi, O=Kubernetes Gateway API, C=US", ca.Subject);
        Assert.True(Chains(server.Certificate, ca));
        using var otherCa = X509Certificate2.CreateFromPem(g.ConfigMapCa("infra/other-ca")!);
        Assert.False(Chains(server.Certificate, otherCa));

        var client = g.Secret("infra/client")!;
        Assert.Null(client.Certificate.Extensions["2.5.29.17"]);
        var eku = client.Certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.Equal("1.3.6.1.5.5.7.3.2", eku.EnhancedKeyUsages[0].Value);
        Assert.True(Chains(client.Certificate, ca));

        // "*" is not a DNS name: upstream makes it a URI SAN.
        var web = g.Secret("web/certificate")!;
        Assert.Empty(TlsTrust.SubjectAltNames(web.Certificate).Dns);
        Assert.Contains("*", web.Certificate.Extensions["2.5.29.17"]!.Format(false));

        var secret = g.Objects.Single(o => o.Obj("metadata")!["name"]!.GetValue<string>() == "server");
        Assert.Equal("kubernetes.io/tls", secret["type"]!.GetValue<string>());
        Assert.Equal(server.CertificatePem, System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(secret["data"]!["tls.crt"]!.GetValue<string>())));
    }

    private static bool Chains(X509Certificate2 leaf, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }

    private static JsonObject? Obj(JsonNode? n, string name) => (n as JsonObject)?[name] as JsonObject;

    [Fact]
    public void RewriterReplacesClassControllerAndAddressPlaceholders()
    {
        var docs = ManifestRewriter.Default.ReadAndRewrite("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: g, namespace: ns}
            spec:
              gatewayClassName: "{GATEWAY_CLASS_NAME}"
              addresses:
                - {type: test/fake-invalid-type, value: fake}
                - value: PLACEHOLDER_UNUSABLE_ADDRS
                - value: PLACEHOLDER_USABLE_ADDRS
              listeners: [{name: http, port: 8080, protocol: HTTP}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata: {name: c}
            spec: {controllerName: "{GATEWAY_CONTROLLER_NAME}"}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: s, namespace: ns}
            spec: {gatewayClassName: untouched}
            """);
        Assert.Equal(HarnessConstants.GatewayClassName, Obj(docs[0], "spec")!["gatewayClassName"]!.GetValue<string>());
        var addresses = (JsonArray)Obj(docs[0], "spec")!["addresses"]!;
        Assert.Equal("fake", addresses[0]!["value"]!.GetValue<string>());
        Assert.Equal(HarnessConstants.UnusableStaticAddress, addresses[1]!["value"]!.GetValue<string>());
        Assert.Equal("IPAddress", addresses[2]!["type"]!.GetValue<string>());
        Assert.Equal(HarnessConstants.UsableStaticAddress, addresses[2]!["value"]!.GetValue<string>());
        Assert.Equal(HarnessConstants.ControllerName, Obj(docs[1], "spec")!["controllerName"]!.GetValue<string>());
        Assert.Equal("untouched", Obj(docs[2], "spec")!["gatewayClassName"]!.GetValue<string>());
    }

    [Fact]
    public void JsonPatchAppliesRfc6902Operations()
    {
        var doc = JsonNode.Parse("""{"spec":{"a":[1,2,3],"b":{"c~d/e":1}},"data":{"ca.crt":"x"}}""");
        var ops = (JsonArray)JsonNode.Parse("""
            [{"op":"remove","path":"/spec/a/0"},
             {"op":"add","path":"/spec/a/-","value":9},
             {"op":"add","path":"/spec/a/0","value":0},
             {"op":"replace","path":"/spec/b/c~0d~1e","value":2},
             {"op":"copy","from":"/spec/b","path":"/spec/copied"},
             {"op":"move","from":"/data/ca.crt","path":"/data/moved"},
             {"op":"test","path":"/spec/a/1","value":2}]
            """)!;
        var result = JsonPatch.Apply(doc, ops)!;
        Assert.Equal("""{"spec":{"a":[0,2,3,9],"b":{"c~d/e":2},"copied":{"c~d/e":2}},"data":{"moved":"x"}}""", result.ToJsonString());
        Assert.Equal("""{"spec":{"a":[1,2,3],"b":{"c~d/e":1}},"data":{"ca.crt":"x"}}""", doc!.ToJsonString());
        Assert.Throws<FormatException>(() => JsonPatch.Apply(doc, (JsonArray)JsonNode.Parse("""[{"op":"remove","path":"/nope"}]""")!));
        Assert.Throws<FormatException>(() => JsonPatch.Apply(doc, (JsonArray)JsonNode.Parse("""[{"op":"test","path":"/spec/a/0","value":5}]""")!));
    }

    [Fact]
    public void StoreBumpsGenerationOnlyOnSpecChanges()
    {
        var store = new ClusterStore();
        var doc = (JsonObject)JsonNode.Parse("""{"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"r"},"spec":{"x":1}}""")!;
        var (key, changed) = store.Upsert(doc);
        Assert.True(changed);
        Assert.Equal(new ObjectKey("HTTPRoute", "default", "r"), key);
        Assert.Equal(1, store.Generation(key));
        Assert.False(store.Upsert(doc).Changed);
        doc["metadata"]!["labels"] = new JsonObject { ["a"] = "b" };
        Assert.True(store.Upsert(doc).Changed);
        Assert.Equal(1, store.Generation(key));
        doc["spec"]!["x"] = 2;
        store.Upsert(doc);
        Assert.Equal(2, store.Generation(key));
        Assert.Equal(1, store.Original(key)!["spec"]!["x"]!.GetValue<long>());
        var typed = store.Typed([key]);
        Assert.True(typed.Ok, string.Join("; ", typed.Errors));
        Assert.Equal(2, typed.Objects.Single().Metadata.Generation);
        Assert.Equal(new ObjectKey("GatewayClass", "", "c"),
            store.Upsert((JsonObject)JsonNode.Parse("""{"apiVersion":"gateway.networking.k8s.io/v1","kind":"GatewayClass","metadata":{"name":"c","namespace":"x"},"spec":{}}""")!).Key);
    }

    [Fact]
    public void EndpointSlicesFollowSelectorsAndTargetPorts()
    {
        var pods = new List<Pod>
        {
            new("infra", "backend", "backend-bcdfghjklm-npqrs", System.Net.IPAddress.Parse("127.30.0.2"), new Dictionary<string, string> { ["app"] = "backend" }, new Dictionary<string, int> { ["web"] = 3000 }),
            new("infra", "other", "other-bcdfghjklm-npqrs", System.Net.IPAddress.Parse("127.30.0.3"), new Dictionary<string, string> { ["app"] = "other" }, new Dictionary<string, int>()),
            new("elsewhere", "backend", "backend-xxxxxxxxxx-yyyyy", System.Net.IPAddress.Parse("127.30.0.4"), new Dictionary<string, string> { ["app"] = "backend" }, new Dictionary<string, int>()),
        };
        var services = new[]
        {
            (JsonObject)JsonNode.Parse("""{"kind":"Service","metadata":{"name":"svc","namespace":"infra"},"spec":{"selector":{"app":"backend"},"ports":[{"name":"http","port":8080,"targetPort":"web","appProtocol":"kubernetes.io/h2c"},{"port":443,"targetPort":8443},{"port":9000}]}}""")!,
            (JsonObject)JsonNode.Parse("""{"kind":"Service","metadata":{"name":"noselector","namespace":"infra"},"spec":{"ports":[{"port":80}]}}""")!,
            (JsonObject)JsonNode.Parse("""{"kind":"Service","metadata":{"name":"declared","namespace":"infra"},"spec":{"selector":{"app":"other"},"ports":[{"port":80}]}}""")!,
        };
        var slices = EndpointSliceSynthesizer.Synthesize(services, pods, new HashSet<(string, string)> { ("infra", "declared") });
        var slice = Assert.Single(slices);
        Assert.Equal("svc", slice["metadata"]!["labels"]!["kubernetes.io/service-name"]!.GetValue<string>());
        var endpoints = (JsonArray)slice["endpoints"]!;
        Assert.Equal("127.30.0.2", Assert.Single(endpoints)!["addresses"]![0]!.GetValue<string>());
        var ports = (JsonArray)slice["ports"]!;
        Assert.Equal(3000, ports[0]!["port"]!.GetValue<int>());
        Assert.Equal("kubernetes.io/h2c", ports[0]!["appProtocol"]!.GetValue<string>());
        Assert.Equal(8443, ports[1]!["port"]!.GetValue<int>());
        Assert.Equal(9000, ports[2]!["port"]!.GetValue<int>());
    }

    [Fact]
    public void DeploymentEnvironmentAndPodNames()
    {
        var d = DeploymentSpec.Parse((JsonObject)JsonNode.Parse("""
            {"kind":"Deployment","metadata":{"name":"tls-backend","namespace":"infra"},
             "spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"tls-backend"}},"spec":{
               "containers":[{"name":"c","env":[
                 {"name":"POD_NAME","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}},
                 {"name":"NAMESPACE","valueFrom":{"fieldRef":{"fieldPath":"metadata.namespace"}}},
                 {"name":"TLS_SERVER_CERT","value":"/etc/secret-volume/crt"},
                 {"name":"SERVICE_NAME","value":"svc"}],
                 "volumeMounts":[{"name":"secret-volume","mountPath":"/etc/secret-volume"}]}],
               "volumes":[{"name":"secret-volume","secret":{"secretName":"s","items":[{"key":"tls.crt","path":"crt"}]}}]}}}}
            """)!);
        Assert.Equal(2, d.Replicas);
        var name = d.NewPodName();
        Assert.Matches("^tls-backend-[a-z0-9]{10}-[a-z0-9]{5}$", name);
        Assert.Equal("tls-backend", EchoResponse.DeploymentOf(name));
        var dir = Path.Combine(Path.GetTempPath(), "cw-vol-" + Guid.NewGuid().ToString("N")[..6]);
        try
        {
            var mounts = d.WriteVolumes(dir, (_, n) => n == "s" ? new Dictionary<string, byte[]> { ["tls.crt"] = [1, 2], ["tls.key"] = [3] } : null, (_, _) => null);
            var env = d.Environment(name, "127.30.0.9", mounts);
            Assert.Equal(name, env["POD_NAME"]);
            Assert.Equal("infra", env["NAMESPACE"]);
            Assert.Equal("svc", env["SERVICE_NAME"]);
            Assert.Equal(Path.Combine(dir, "secret-volume", "crt"), env["TLS_SERVER_CERT"]);
            Assert.Equal([1, 2], File.ReadAllBytes(env["TLS_SERVER_CERT"]!));
            Assert.False(File.Exists(Path.Combine(dir, "secret-volume", "key")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task DnsResponderAnswersAQueries()
    {
        var ip = new AddressAllocator($"127.31.{Random.Shared.Next(250)}.0/24").Next();
        await using var dns = DnsResponder.Start(new System.Net.IPEndPoint(ip, 0), _ => { });
        var request = new RequestSpec { Scheme = "udp", DnsQuestion = "foo.bar.com.", DnsType = "A" };
        var o = await DatagramExecutor.ExchangeAsync(request, new Target(ip.ToString(), dns.LocalEndPoint.Port), CancellationToken.None);
        Assert.Null(o.TransportError);
        Assert.True(o.Flag);
        var reply = DnsResponder.Answer(DatagramExecutor.DnsQuery(7, "foo.bar.com.", "A"), System.Net.IPAddress.Parse("127.0.0.5"))!;
        Assert.Equal(0x81, reply[2] & 0x81);
        Assert.Equal(1, reply[7]);
        Assert.Equal([127, 0, 0, 5], reply[^4..]);
    }
}
