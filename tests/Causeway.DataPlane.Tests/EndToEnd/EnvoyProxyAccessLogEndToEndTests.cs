using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>
/// <c>causeway run</c> with a GatewayClass whose EnvoyProxy sets <c>spec.telemetry.accessLog</c>: the settings replace
/// the default stdout log (a Text setting for routes on stdout, a JSON setting for listeners in a file), a setting with
/// an unknown operator is skipped while the others serve, and removing the accessLog brings the default log back.
/// </summary>
public sealed class EnvoyProxyAccessLogEndToEndTests
{
    private const int Pool = 95;

    private static string EnvoyProxy(string file) => $"""
        apiVersion: gateway.envoyproxy.io/v1alpha1
        kind: EnvoyProxy
        metadata:
          name: logs
          namespace: test
        spec:
          telemetry:
            accessLog:
              settings:
              - type: Route
                format:
                  type: Text
                  text: "e2e %REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %RESPONSE_CODE% %ROUTE_NAME% %REQ(X-TENANT)%\n"
                sinks:
                - type: File
                  file:
                    path: /dev/stdout
              - type: Listener
                format:
                  type: JSON
                  json:
                    code: "%RESPONSE_CODE%"
                    flags: "%RESPONSE_FLAGS%"
                    authority: "%REQ(:AUTHORITY)%"
                sinks:
                - type: File
                  file:
                    path: {file}
              - format:
                  type: Text
                  text: "%NOT_AN_OPERATOR%"
        """;

    private const string ClassWithParameters = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata:
          name: eg
        spec:
          controllerName: gateway.envoyproxy.io/gatewayclass-controller
          parametersRef:
            group: gateway.envoyproxy.io
            kind: EnvoyProxy
            name: logs
            namespace: test
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: test
        """;

    [Fact]
    public async Task EnvoyProxy_access_log_settings_replace_the_default_log_of_causeway_run()
    {
        var (echo, _) = await E2e.StartHttpEchoAsync($"127.61.{Pool}.1", "pod-a");
        await using var _e = echo;
        var dir = Directory.CreateTempSubdirectory("causeway-e2e-accesslog-");
        var file = Path.Combine(dir.FullName, "listener.log");
        try
        {
            await using var run = await CausewayRun.StartAsync("", Pool, d =>
            {
                File.WriteAllText(Path.Combine(d, "base.yaml"), ClassWithParameters + "\n---\n" + Manifests.Gateway() + "---\n" + Manifests.Service("svc-a", $"127.61.{Pool}.1"));
                File.WriteAllText(Path.Combine(d, "a.yaml"), Manifests.Route("a", "a.example.com", ("svc-a", 1)));
                File.WriteAllText(Path.Combine(d, "proxy.yaml"), EnvoyProxy(file));
            });
            using var client = E2e.Client(run.GatewayAddress);
            using (var get = new HttpRequestMessage(HttpMethod.Get, "http://a.example.com:8080/hello?x=1"))
            {
                get.Headers.TryAddWithoutValidation("x-tenant", "acme");
                using var r = await client.SendAsync(get);
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            }
            using (var nr = await client.GetAsync("http://nobody.example.com:8080/")) Assert.Equal(HttpStatusCode.NotFound, nr.StatusCode);

            var lines = await run.AccessLog.WaitForLinesAsync(1);
            await Task.Delay(300);
            Assert.Equal(["e2e GET /hello?x=1 200 httproute/test/a/rule/0 acme"], run.AccessLog.Lines);
            var listener = await WaitForFileLinesAsync(file, 1);
            var entry = JsonNode.Parse(Assert.Single(listener))!.AsObject();
            Assert.Equal(404, (int)entry["code"]!);
            Assert.Equal(JsonValueKind.Number, entry["code"]!.GetValueKind());
            Assert.Equal("NR", (string?)entry["flags"]);
            Assert.Equal("nobody.example.com:8080", (string?)entry["authority"]);

            // Without spec.telemetry.accessLog the Gateway gets causeway run's default log (--access-log json) again.
            run.SaveLikeEditor("proxy.yaml", "apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: EnvoyProxy\nmetadata:\n  name: logs\n  namespace: test\nspec: {}\n");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            string? defaultLine = null;
            while (DateTime.UtcNow < deadline && defaultLine is null)
            {
                using (var r = await client.GetAsync("http://a.example.com:8080/again")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
                await Task.Delay(200);
                defaultLine = run.AccessLog.Lines.FirstOrDefault(l => l.StartsWith('{'));
            }
            Assert.NotNull(defaultLine);
            Assert.Equal("/again", (string?)JsonNode.Parse(defaultLine)!["x-envoy-origin-path"]);
        }
        finally
        {
            try { dir.Delete(recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<string[]> WaitForFileLinesAsync(string path, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        string[] lines = [];
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(path))
            {
                await using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(f);
                lines = (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (lines.Length >= count) return lines;
            }
            await Task.Delay(50);
        }
        return lines;
    }
}
