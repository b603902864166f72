using System.Net;
using System.Text.Json.Nodes;
using Causeway.DataPlane.Tests.Support;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>Bad input written while <c>causeway run</c> serves: the admin /status says what is wrong, the rest serves.</summary>
public sealed class BadInputTests
{
    private const int Pool = 21;

    [Fact]
    public async Task SyntaxErrorBrokenKeyAndMissingServiceAreReportedWhileTheRestServes()
    {
        var (a, _) = await E2e.StartHttpEchoAsync("127.61.21.1", "pod-a");
        await using var _a = a;
        var ca = TestCerts.CreateCa("bad-input-ca");
        var good = TestCerts.CreateLeaf(ca, "good", "*.example.com");
        var other = TestCerts.CreateLeaf(ca, "other", "*.example.com");
        await using var run = await CausewayRun.StartAsync("", Pool, d =>
        {
            File.WriteAllText(Path.Combine(d, "base.yaml"), Manifests.GatewayClass + "---\n"
                + Manifests.Gateway(("https-good", 8443, "good-cert"), ("https-other", 9443, "other-cert")) + "---\n" + Manifests.Service("svc-a", "127.61.21.1"));
            File.WriteAllText(Path.Combine(d, "route.yaml"), Manifests.Route("good", "good.example.com", ("svc-a", 1)));
            File.WriteAllText(Path.Combine(d, "good-cert.yaml"), E2e.SecretYaml("good-cert", "test", good.CertificatePem, good.KeyPem));
            File.WriteAllText(Path.Combine(d, "other-cert.yaml"), E2e.SecretYaml("other-cert", "test", other.CertificatePem, other.KeyPem));
        });
        using var client = E2e.Client(run.GatewayAddress);
        async Task AllServe()
        {
            await E2e.GetEchoAsync(client, "http://good.example.com:8080/");
            using var tls = E2e.Client(run.GatewayAddress, trust: good.Certificate);
            await E2e.GetEchoAsync(tls, "https://good.example.com:8443/");
        }
        await AllServe();
        using (var tls9443 = E2e.Client(run.GatewayAddress, trust: other.Certificate))
            await E2e.GetEchoAsync(tls9443, "https://good.example.com:9443/");

        // 1. A file with a YAML syntax error: reported as a load error, the last good configuration keeps serving.
        File.WriteAllText(Path.Combine(run.Dir, "broken.yaml"), "apiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n");
        await E2e.EventuallyAsync(async () => (await run.StatusAsync())["loadErrors"]!.AsArray().Any(e => ((string?)e)!.Contains("broken.yaml", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(5), "load error for broken.yaml");
        await AllServe();
        var (_, _, statusErr) = await run.StatusCommandAsync();
        Assert.Contains("broken.yaml", statusErr, StringComparison.Ordinal);
        File.Delete(Path.Combine(run.Dir, "broken.yaml"));
        await E2e.EventuallyAsync(async () => (await run.StatusAsync())["loadErrors"]!.AsArray().Count == 0, TimeSpan.FromSeconds(5), "load errors cleared");

        // 2. A Secret whose key is not a key: only the listener using it is affected.
        var brokenKey = "-----BEGIN PRIVATE KEY-----\nTm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n";
        run.SaveLikeEditor("other-cert.yaml", E2e.SecretYaml("other-cert", "test", other.CertificatePem, brokenKey));
        await E2e.EventuallyAsync(async () => ListenerCondition(await run.StatusAsync(), "https-other", "ResolvedRefs") is { } c
            && (string?)c["status"] == "False" && (string?)c["reason"] == "InvalidCertificateRef", TimeSpan.FromSeconds(5), "https-other ResolvedRefs=False InvalidCertificateRef");
        var status = await run.StatusAsync();
        Assert.Equal("True", (string?)ListenerCondition(status, "https-good", "ResolvedRefs")?["status"]);
        Assert.Equal("True", (string?)ListenerCondition(status, "http", "Programmed")?["status"]);
        await AllServe();

        // 3. A route to a Service that does not exist: ResolvedRefs=False BackendNotFound, 500 for it, the rest serves.
        File.WriteAllText(Path.Combine(run.Dir, "missing.yaml"), Manifests.Route("missing", "missing.example.com", ("no-such-svc", 1)));
        await E2e.EventuallyAsync(async () => RouteCondition(await run.StatusAsync(), "missing", "ResolvedRefs") is { } c
            && (string?)c["status"] == "False" && (string?)c["reason"] == "BackendNotFound", TimeSpan.FromSeconds(5), "missing route ResolvedRefs=False BackendNotFound");
        using (var r = await client.GetAsync("http://missing.example.com:8080/"))
            Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);
        Assert.Equal("True", (string?)RouteCondition(await run.StatusAsync(), "good", "ResolvedRefs")?["status"]);
        await AllServe();
        var (exit, all, _) = await run.StatusCommandAsync("-A");
        Assert.Equal(0, exit);
        Assert.Contains(all.Split('\n'), l => l.Contains("missing", StringComparison.Ordinal) && l.Contains("HTTPRoute", StringComparison.Ordinal)
            && l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [.., "True", "False", _]);
        Assert.Equal(0, await run.StopAsync());
    }

    private static JsonNode? ListenerCondition(JsonObject status, string listener, string type) =>
        Item(status, "Gateway", "gw")?["status"]?["listeners"]?.AsArray().FirstOrDefault(l => (string?)l?["name"] == listener)?["conditions"]?.AsArray()
            .FirstOrDefault(c => (string?)c?["type"] == type);

    private static JsonNode? RouteCondition(JsonObject status, string route, string type) =>
        Item(status, "HTTPRoute", route)?["status"]?["parents"]?.AsArray().FirstOrDefault()?["conditions"]?.AsArray()
            .FirstOrDefault(c => (string?)c?["type"] == type);

    private static JsonNode? Item(JsonObject status, string kind, string name) =>
        status["items"]!.AsArray().FirstOrDefault(i => (string?)i?["kind"] == kind && (string?)i?["metadata"]?["name"] == name);
}
