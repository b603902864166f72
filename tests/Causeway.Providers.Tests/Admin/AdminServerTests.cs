using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Causeway.Model.Snapshot;
using Causeway.Providers.Admin;
using Causeway.Providers.Runtime;
using Causeway.Translation;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging.Abstractions;

namespace Causeway.Providers.Tests.Admin;

public sealed class AdminServerTests
{
    internal static (string Cert, string Key) SelfSigned()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=test.example.com", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return (cert.ExportCertificatePem(), rsa.ExportPkcs8PrivateKeyPem());
    }

    private static async Task<(StandaloneRuntime, AdminServer, HttpClient)> Start(
        Func<ResourceSnapshot, TranslatorOptions, TranslationResult> translate, Func<IReadOnlyList<string>>? loadErrors = null)
    {
        var runtime = new StandaloneRuntime(new StandaloneRuntimeOptions { Translate = translate }, new FakeDataPlane(), NullLoggerFactory.Instance, TimeProvider.System);
        var admin = new AdminServer(new AdminServerOptions { Address = AdminServerOptions.ParseAddress("127.0.0.1:0"), LoadErrors = loadErrors ?? (() => []) },
            runtime, NullLoggerFactory.Instance);
        await admin.StartAsync(default);
        var client = new HttpClient { BaseAddress = admin.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        return (runtime, admin, client);
    }

    [Fact]
    public async Task HealthAndReadiness()
    {
        var (runtime, admin, client) = await Start(Fixtures.FakeTranslate);
        await using (runtime)
        await using (admin)
        using (client)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("healthz")).StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("readyz")).StatusCode);
            await runtime.ApplyAsync(Fixtures.Snapshot(Fixtures.ClassYaml + Fixtures.GatewayYaml("g", "test")), default);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("readyz")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("nope")).StatusCode);
        }
    }

    [Fact]
    public async Task StatusShowsObjectsConditionsAndLoadErrors()
    {
        var (runtime, admin, client) = await Start(Fixtures.FakeTranslate, () => ["a.yaml:3: Gateway test/x: spec: broken"]);
        await using (runtime)
        await using (admin)
        using (client)
        {
            await runtime.ApplyAsync(Fixtures.Snapshot(Fixtures.ClassYaml + Fixtures.GatewayYaml("g", "test")), default);
            var response = await client.GetAsync("status");
            Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
            var doc = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal("a.yaml:3: Gateway test/x: spec: broken", (string?)doc["loadErrors"]![0]);
            var item = doc["items"]![0]!;
            Assert.Equal("gateway.networking.k8s.io/v1", (string?)item["apiVersion"]);
            Assert.Equal("Gateway", (string?)item["kind"]);
            Assert.Equal("g", (string?)item["metadata"]!["name"]);
            Assert.Equal("test", (string?)item["metadata"]!["namespace"]);
            Assert.Equal(1, (long)item["metadata"]!["generation"]!);
            Assert.Equal("eg", (string?)item["spec"]!["gatewayClassName"]);
            var condition = item["status"]!["conditions"]![0]!;
            Assert.Equal("Programmed", (string?)condition["type"]);
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (string?)condition["lastTransitionTime"]);
        }
    }

    [Fact]
    public async Task ConfigDumpNeverContainsPrivateKeys()
    {
        var (cert, key) = SelfSigned();
        Assert.Contains("PRIVATE KEY", key);
        var tls = new TlsCertificateIr { Source = "test/test-cert", CertificatePem = cert, PrivateKeyPem = key, DnsNames = new[] { "test.example.com" } };
        TranslationResult Translate(ResourceSnapshot s, TranslatorOptions o) => new()
        {
            Gateways = new[]
            {
                new GatewayIr
                {
                    Name = "test/g",
                    BackendClientCertificate = tls,
                    Ports = new[] { new PortIr { Port = 443, Protocol = PortProtocol.Https, Listeners = new[] { new ListenerIr { Name = "test/g/https", Certificates = new[] { tls } } } } },
                },
            },
        };
        var (runtime, admin, client) = await Start(Translate);
        await using (runtime)
        await using (admin)
        using (client)
        {
            await runtime.ApplyAsync(Fixtures.Snapshot(Fixtures.ClassYaml), default);
            var dump = await client.GetStringAsync("config_dump");
            Assert.Contains("BEGIN CERTIFICATE", dump);
            Assert.Contains("\"protocol\": \"Https\"", dump);
            Assert.DoesNotContain("PRIVATE KEY", dump);
            Assert.DoesNotContain(key.Split('\n')[1], dump);
            var status = await client.GetStringAsync("status");
            Assert.DoesNotContain("PRIVATE KEY", status);
        }
    }
}
