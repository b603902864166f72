using System.Net;
using System.Text.Json.Nodes;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>
/// One tenant's typo does not take down a shared listener: an HTTPRoute whose path, header or query regex does not
/// compile is not accepted (its status says which field and why) while the other routes on the same port keep
/// serving, whether it is there when <c>causeway run</c> starts or added while it serves.
/// </summary>
public sealed class BadRouteRegexTests
{
    private const int Pool = 47;

    private static string Route(string name, string host, string match) => $$"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata:
          name: {{name}}
          namespace: test
        spec:
          parentRefs:
          - name: gw
          hostnames:
          - {{host}}
          rules:
          - matches:
            - {{match}}
            backendRefs:
            - name: svc-a
              port: 80

        """;

    private const string BadPath = "path: {type: RegularExpression, value: \"/r/(\"}";
    private const string BadHeader = "headers: [{type: RegularExpression, name: X-A, value: \"[a-\"}]";
    private const string BadQuery = "queryParams: [{type: RegularExpression, name: a, value: \"*x\"}]";

    [Fact]
    public async Task A_bad_regex_at_start_or_added_live_rejects_only_its_route_and_the_port_keeps_serving()
    {
        var (a, _) = await E2e.StartHttpEchoAsync($"127.61.{Pool}.1", "pod-a");
        await using var _a = a;
        await using var run = await CausewayRun.StartAsync("", Pool, d =>
        {
            File.WriteAllText(Path.Combine(d, "base.yaml"), Manifests.GatewayClass + "---\n" + Manifests.Gateway() + "---\n" + Manifests.Service("svc-a", $"127.61.{Pool}.1"));
            File.WriteAllText(Path.Combine(d, "good.yaml"), Manifests.Route("good", "good.example.com", ("svc-a", 1)));
            File.WriteAllText(Path.Combine(d, "bad-path.yaml"), Route("bad-path", "bad.example.com", BadPath));
        });
        using var client = E2e.Client(run.GatewayAddress);

        // At start: the good route serves on port 8080, the bad one is not accepted and says why.
        await E2e.GetEchoAsync(client, "http://good.example.com:8080/");
        var status = await run.StatusAsync();
        AssertRejected(status, "bad-path", "spec.rules[0].matches[0].path.value: invalid regular expression: ");
        Assert.Equal("True", (string?)RouteCondition(status, "good", "Accepted")?["status"]);
        Assert.Equal("True", (string?)ListenerCondition(status, "http", "Programmed")?["status"]);
        using (var r = await client.GetAsync("http://bad.example.com:8080/r/x"))
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);

        // Added while serving: each is rejected in turn and the port never stops answering the good route.
        foreach (var (name, match, field) in new[]
        {
            ("bad-header", BadHeader, "spec.rules[0].matches[0].headers[0].value: invalid regular expression: "),
            ("bad-query", BadQuery, "spec.rules[0].matches[0].queryParams[0].value: invalid regular expression: "),
        })
        {
            File.WriteAllText(Path.Combine(run.Dir, name + ".yaml"), Route(name, name + ".example.com", match));
            await E2e.EventuallyAsync(async () => RouteCondition(await run.StatusAsync(), name, "Accepted") is { } c && (string?)c["status"] == "False",
                TimeSpan.FromSeconds(10), name + " Accepted=False");
            AssertRejected(await run.StatusAsync(), name, field);
            await E2e.GetEchoAsync(client, "http://good.example.com:8080/");
        }

        // The configuration still moves on: a good route added after them serves.
        File.WriteAllText(Path.Combine(run.Dir, "late.yaml"), Manifests.Route("late", "late.example.com", ("svc-a", 1)));
        await E2e.EventuallyAsync(async () =>
        {
            using var r = await client.GetAsync("http://late.example.com:8080/");
            return r.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(10), "late route serving");
        await E2e.GetEchoAsync(client, "http://good.example.com:8080/");
        status = await run.StatusAsync();
        Assert.Equal("True", (string?)ListenerCondition(status, "http", "Programmed")?["status"]);
        Assert.Empty(status["loadErrors"]!.AsArray());
        Assert.Equal(0, await run.StopAsync());
    }

    private static void AssertRejected(JsonObject status, string route, string messageStart)
    {
        var accepted = RouteCondition(status, route, "Accepted");
        Assert.NotNull(accepted);
        Assert.Equal("False", (string?)accepted["status"]);
        Assert.Equal("UnsupportedValue", (string?)accepted["reason"]);
        Assert.StartsWith(messageStart, (string?)accepted["message"], StringComparison.Ordinal);
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
