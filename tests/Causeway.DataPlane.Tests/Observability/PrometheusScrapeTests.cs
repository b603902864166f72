using System.Net;
using Causeway.DataPlane.Tests.EndToEnd;

namespace Causeway.DataPlane.Tests.Observability;

/// <summary>
/// A real Prometheus scrapes a running <c>causeway run</c>: after a known number of requests per route and status,
/// PromQL through its HTTP API returns exactly those counts, the histograms count the same requests and quantiles
/// compute, and <c>promtool check metrics</c> accepts the exposition.
/// </summary>
public sealed class PrometheusScrapeTests
{
    private const int Pool = 70;

    [Fact]
    public async Task Prometheus_sees_exactly_the_requests_sent_per_route_method_and_status()
    {
        var (a, _) = await E2e.StartHttpEchoAsync($"127.61.{Pool}.1", "pod-a");
        await using var _a = a;
        var (b, _) = await E2e.StartHttpEchoAsync($"127.61.{Pool}.2", "pod-b");
        await using var _b = b;
        await using var run = await CausewayRun.StartAsync("", Pool, d =>
        {
            File.WriteAllText(Path.Combine(d, "base.yaml"), Manifests.GatewayClass + "---\n" + Manifests.Gateway() + "---\n"
                + Manifests.Service("svc-a", $"127.61.{Pool}.1") + "---\n" + Manifests.Service("svc-b", $"127.61.{Pool}.2"));
            File.WriteAllText(Path.Combine(d, "a.yaml"), Manifests.Route("a", "a.example.com", ("svc-a", 1)));
            File.WriteAllText(Path.Combine(d, "b.yaml"), Manifests.Route("b", "b.example.com", ("svc-b", 1)));
            // Never requested: must expose no series.
            File.WriteAllText(Path.Combine(d, "idle.yaml"), Manifests.Route("idle", "idle.example.com", ("svc-b", 1)));
        });
        Assert.NotNull(run.MetricsAddress);
        using var client = E2e.Client(run.GatewayAddress);
        for (var i = 0; i < 5; i++) await E2e.GetEchoAsync(client, "http://a.example.com:8080/x");
        for (var i = 0; i < 3; i++)
        {
            using var r = await client.PostAsync("http://b.example.com:8080/y", new StringContent("body"));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        for (var i = 0; i < 2; i++)
        {
            using var r = await client.GetAsync("http://nobody.example.com:8080/");
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        }

        var target = $"{run.MetricsAddress!.Host}:{run.MetricsAddress.Port}";
        await using var prometheus = await PrometheusServer.StartAsync($"127.62.{Pool}.1:9090", target);

        var expected = new Dictionary<string, double>
        {
            ["httproute/test/a|GET|200|test/svc-a:80"] = 5,
            ["httproute/test/b|POST|200|test/svc-b:80"] = 3,
            ["|GET|404|"] = 2,
        };
        var counts = await prometheus.WaitForAsync("sum by (route, method, code, backend) (causeway_http_requests_total{gateway=\"test/gw\"})",
            r => r.Count == expected.Count && r.All(s => expected.TryGetValue(Key(s.Labels), out var v) && v == s.Value));
        Assert.Equal(expected.OrderBy(e => e.Key), counts.Select(s => KeyValuePair.Create(Key(s.Labels), s.Value)).OrderBy(e => e.Key));

        var durations = await prometheus.QueryAsync("sum by (route) (causeway_http_request_duration_seconds_count{gateway=\"test/gw\"})");
        Assert.Equal(5, durations.Single(d => (string?)d.Labels["route"] == "httproute/test/a").Value);
        Assert.Equal(3, durations.Single(d => (string?)d.Labels["route"] == "httproute/test/b").Value);
        Assert.Equal(2, durations.Single(d => d.Labels["route"] is null).Value);
        var p99 = await prometheus.QueryAsync("histogram_quantile(0.99, sum by (le) (causeway_http_request_duration_seconds_bucket{route=\"httproute/test/a\"}))");
        Assert.InRange(p99.Single().Value, 1e-9, 10);
        var upstream = await prometheus.QueryAsync("sum(causeway_upstream_request_duration_seconds_count{code_class=\"2xx\"})");
        Assert.Equal(8, upstream.Single().Value);
        Assert.Empty(await prometheus.QueryAsync("causeway_http_requests_total{route=\"httproute/test/idle\"}"));
        Assert.Equal(1, (await prometheus.QueryAsync("up{job=\"causeway\"}")).Single().Value);
        Assert.True((await prometheus.QueryAsync("causeway_config_reloads_total{result=\"success\"}")).Single().Value >= 1);
        Assert.Equal(0, (await prometheus.QueryAsync("sum(causeway_http_active_requests{gateway=\"test/gw\"})")).Single().Value);

        using var http = new HttpClient();
        var exposition = await http.GetStringAsync(new Uri(run.MetricsAddress, "metrics"));
        var (code, output) = await PrometheusServer.PromtoolAsync(exposition, "check", "metrics");
        Assert.True(code == 0, "promtool check metrics: " + output);

        static string Key(System.Text.Json.Nodes.JsonObject l) =>
            $"{(string?)l["route"] ?? ""}|{(string?)l["method"]}|{(string?)l["code"]}|{(string?)l["backend"] ?? ""}";
    }
}
