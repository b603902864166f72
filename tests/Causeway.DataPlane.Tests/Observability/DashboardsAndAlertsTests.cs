using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Causeway.DataPlane.Tests.EndToEnd;

namespace Causeway.DataPlane.Tests.Observability;

/// <summary>
/// The chart's alerting rules pass <c>promtool check rules</c> and their unit tests (<c>alerts.test.yaml</c>: every
/// alert firing and not firing), and every PromQL expression of the chart's Grafana dashboards runs against a real
/// Prometheus scraping a running <c>causeway run</c> that served traffic: each is a valid query, the key panels
/// return data.
/// </summary>
public sealed partial class DashboardsAndAlertsTests
{
    private const int Pool = 71;

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Causeway.slnx"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    private static string Chart => Path.Combine(RepoRoot(), "charts", "causeway");

    [Fact]
    public async Task Alert_rules_pass_promtool_check_and_their_unit_tests()
    {
        var rules = Path.Combine(Chart, "files", "alerts.yaml");
        var (code, output) = await PrometheusServer.PromtoolAsync(null, "check", "rules", rules);
        Assert.True(code == 0, "promtool check rules: " + output);

        // Every alert of the file has a unit test that expects it to fire, and each has severity and runbook.
        var alerts = AlertName().Matches(await File.ReadAllTextAsync(rules)).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["CausewayGatewayHighErrorRatio", "CausewayRouteHighErrorRatio", "CausewayRouteHighLatencyP99", "CausewayBackendNoReadyEndpoints",
            "CausewayCertificateExpiringSoon", "CausewayCertificateExpired", "CausewayConfigReloadFailures", "CausewayProxyRejectedConfig"], alerts);
        Assert.Equal(alerts.Count, Regex.Matches(await File.ReadAllTextAsync(rules), @"^\s+severity: (warning|critical)$", RegexOptions.Multiline).Count);
        Assert.Equal(alerts.Count, Regex.Matches(await File.ReadAllTextAsync(rules), @"^\s+runbook: ", RegexOptions.Multiline).Count);
        var unitTests = Path.Combine(RepoRoot(), "tests", "Causeway.DataPlane.Tests", "Observability", "alerts.test.yaml");
        var testText = await File.ReadAllTextAsync(unitTests);
        foreach (var alert in alerts)
        {
            Assert.Matches($@"alertname: {alert}\n\s+exp_alerts:\n\s+- exp_labels:", testText);
            Assert.Matches($@"alertname: {alert}\n\s+exp_alerts: \[\]", testText);
        }

        (code, output) = await PrometheusServer.PromtoolAsync(null, "test", "rules", unitTests);
        Assert.True(code == 0, "promtool test rules: " + output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    /// <summary>Panels that must show data after the traffic below (the rest must be valid queries).</summary>
    private static readonly Dictionary<string, string[]> KeyPanels = new(StringComparer.Ordinal)
    {
        ["gateway-overview"] = ["Request rate", "5xx ratio", "Requests by status code", "Latency p50 / p90 / p99", "Active requests", "Unmatched requests", "Ready endpoints"],
        ["routes-backends"] = ["Requests per route", "5xx per route", "5xx ratio per route", "Latency p99 per route", "Requests per backend", "Upstream latency p99", "Connect errors", "Endpoints by state"],
        ["control-plane"] = ["Reloads by result", "Configuration generation", "CPU", "Resident memory"],
    };

    [Fact]
    public async Task Every_dashboard_expression_is_a_valid_query_and_key_panels_show_the_traffic_served()
    {
        var (echo, _) = await E2e.StartHttpEchoAsync($"127.61.{Pool}.1", "pod-a");
        await using var _echo = echo;
        await using var run = await CausewayRun.StartAsync("", Pool, d =>
        {
            File.WriteAllText(Path.Combine(d, "base.yaml"), Manifests.GatewayClass + "---\n" + Manifests.Gateway() + "---\n"
                + Manifests.Service("svc-a", $"127.61.{Pool}.1") + "---\n" + Manifests.Service("svc-dead", $"127.61.{Pool}.9"));
            File.WriteAllText(Path.Combine(d, "a.yaml"), Manifests.Route("a", "a.example.com", ("svc-a", 1)));
            // Nothing listens behind svc-dead: 5xx answers and upstream connect errors.
            File.WriteAllText(Path.Combine(d, "dead.yaml"), Manifests.Route("dead", "dead.example.com", ("svc-dead", 1)));
        });
        Assert.NotNull(run.MetricsAddress);
        var target = $"{run.MetricsAddress!.Host}:{run.MetricsAddress.Port}";
        await using var prometheus = await PrometheusServer.StartAsync($"127.62.{Pool}.1:9090", target);
        await prometheus.WaitForAsync("up{job=\"causeway\"}", r => r.Count == 1 && r[0].Value == 1);

        // Traffic spread over a few scrapes, so rates and quantiles over the window are not zero.
        using var client = E2e.Client(run.GatewayAddress);
        for (var round = 0; round < 4; round++)
        {
            for (var i = 0; i < 5; i++) await E2e.GetEchoAsync(client, "http://a.example.com:8080/x");
            using (var dead = await client.GetAsync("http://dead.example.com:8080/"))
                Assert.True((int)dead.StatusCode >= 500, $"svc-dead answered {(int)dead.StatusCode}");
            using (var none = await client.GetAsync("http://nobody.example.com:8080/"))
                Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
            await Task.Delay(1200);
        }
        await prometheus.WaitForAsync("sum(causeway_http_requests_total{route=\"httproute/test/a\"})", r => r.Count == 1 && r[0].Value == 20);
        await Task.Delay(1500); // a couple more scrapes after the last request

        // Whether an expression parses is fixed; whether it shows data depends on the scrapes Prometheus has made, which
        // a loaded machine can delay: a pass that finds panels without data is repeated a few times before failing.
        List<string> failures = [];
        var checkedExpressions = 0;
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            (failures, checkedExpressions) = await CheckDashboardsAsync(prometheus);
            if (failures.Count == 0) break;
            await Task.Delay(2000);
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.True(checkedExpressions >= 40, $"only {checkedExpressions} expressions checked");

        // The numbers behind the key panels are the traffic sent.
        var rate = await prometheus.QueryAsync(Substitute(Expr("gateway-overview", "Request rate"), [], "", failures));
        Assert.True(rate.Single().Value > 0, "request rate");
        var ratio = await prometheus.QueryAsync(Substitute(Expr("routes-backends", "5xx ratio per route"), ["gateway", "route"], "", failures));
        Assert.Equal(1, ratio.Single(r => (string?)r.Labels["route"] == "httproute/test/dead").Value);
        var p99 = await prometheus.QueryAsync(Substitute(Expr("routes-backends", "Latency p99 per route"), ["gateway", "route"], "", failures));
        Assert.InRange(p99.Single(r => (string?)r.Labels["route"] == "httproute/test/a").Value, 1e-6, 10);
        var ready = await prometheus.QueryAsync(Expr("gateway-overview", "Ready endpoints"));
        Assert.Equal(1, ready.Single(r => (string?)r.Labels["backend"] == "test/svc-a:80").Value);
        var reloads = await prometheus.QueryAsync(Substitute(Expr("control-plane", "Reloads by result"), ["job"], "", failures));
        Assert.Contains(reloads, r => (string?)r.Labels["result"] == "success");
        Assert.Empty(failures);
    }

    /// <summary>One pass over every dashboard: the failures found and how many expressions were checked.</summary>
    private static async Task<(List<string> Failures, int Checked)> CheckDashboardsAsync(PrometheusServer prometheus)
    {
        var failures = new List<string>();
        var checkedExpressions = 0;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Chart, "dashboards"), "*.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            var dashboard = JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsObject();
            var variables = dashboard["templating"]!["list"]!.AsArray().Select(v => (string)v!["name"]!).ToHashSet(StringComparer.Ordinal);
            var titles = new List<string>();

            // Template variables' label_values(...) queries, as the PromQL Grafana runs for them.
            foreach (var v in dashboard["templating"]!["list"]!.AsArray().Where(v => (string?)v!["type"] == "query"))
            {
                var definition = (string)v!["definition"]!;
                var m = LabelValues().Match(definition);
                Assert.True(m.Success, $"{name}: variable {v["name"]}: '{definition}' is not label_values(SELECTOR, LABEL)");
                var promql = $"group by ({m.Groups[2].Value}) ({Substitute(m.Groups[1].Value, variables, name, failures)})";
                var (ok, result, error) = await TryQueryAsync(prometheus, promql);
                checkedExpressions++;
                if (!ok) failures.Add($"{name}: variable {v["name"]}: {promql}: {error}");
                else if (result.Count == 0) failures.Add($"{name}: variable {v["name"]} lists no value: {promql}");
            }

            foreach (var panel in Panels(dashboard))
            {
                var title = (string)panel["title"]!;
                titles.Add(title);
                var targets = panel["targets"]!.AsArray();
                Assert.True(targets.Count > 0, $"{name}: panel '{title}' has no query");
                var panelHasData = false;
                foreach (var t in targets)
                {
                    var expr = Substitute((string)t!["expr"]!, variables, name, failures);
                    var (ok, result, error) = await TryQueryAsync(prometheus, expr);
                    checkedExpressions++;
                    if (!ok)
                    {
                        failures.Add($"{name}: '{title}': {expr}: {error}");
                        continue;
                    }
                    if (result.Count > 0 && result.Any(r => !double.IsNaN(r.Value))) panelHasData = true;
                }
                if (KeyPanels[name].Contains(title) && !panelHasData) failures.Add($"{name}: key panel '{title}' shows no data");
            }
            foreach (var key in KeyPanels[name]) Assert.True(titles.Contains(key), $"{name}: no panel '{key}'");
        }
        return (failures, checkedExpressions);
    }

    private static string Expr(string dashboard, string title)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Chart, "dashboards", dashboard + ".json")))!.AsObject();
        return (string)Panels(json).Single(p => (string?)p["title"] == title)["targets"]![0]!["expr"]!;
    }

    /// <summary>Every panel with queries, rows' nested panels included.</summary>
    private static IEnumerable<JsonObject> Panels(JsonObject dashboard)
    {
        foreach (var p in dashboard["panels"]!.AsArray().Select(p => p!.AsObject()))
        {
            if (p["targets"] is not null) yield return p;
            if (p["panels"] is JsonArray nested)
                foreach (var n in nested.Select(n => n!.AsObject()).Where(n => n["targets"] is not null)) yield return n;
        }
    }

    /// <summary>
    /// Grafana's substitutions: <c>$__rate_interval</c> -> 1m (4 x the 1 s scrape interval would do; a minute spans the
    /// whole test), every dashboard variable -> <c>.*</c> ("All"). A variable the dashboard does not define is a failure.
    /// </summary>
    private static string Substitute(string expr, IReadOnlyCollection<string> variables, string dashboard, List<string> failures)
    {
        var s = expr.Replace("$__rate_interval", "1m", StringComparison.Ordinal);
        return Variable().Replace(s, m =>
        {
            var v = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
            if (dashboard.Length > 0 && !variables.Contains(v)) failures.Add($"{dashboard}: ${v} is not a variable of the dashboard: {expr}");
            return ".*";
        });
    }

    private static async Task<(bool Ok, List<(JsonObject Labels, double Value)> Result, string? Error)> TryQueryAsync(PrometheusServer prometheus, string promql)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(new Uri(prometheus.Address, "api/v1/query?query=" + WebUtility.UrlEncode(promql)));
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        if ((string?)json["status"] != "success") return (false, [], (string?)json["error"] ?? response.StatusCode.ToString());
        if ((string?)json["data"]!["resultType"] != "vector") return (false, [], "result is a " + json["data"]!["resultType"] + ", not an instant vector");
        var result = new List<(JsonObject, double)>();
        foreach (var r in json["data"]!["result"]!.AsArray())
        {
            var value = (string)r!["value"]![1]!;
            result.Add((r["metric"]!.AsObject(), value is "NaN" or "+Inf" or "-Inf" ? double.NaN : double.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));
        }
        return (true, result, null);
    }

    [GeneratedRegex(@"^\s+- alert: (\w+)$", RegexOptions.Multiline)]
    private static partial Regex AlertName();

    [GeneratedRegex(@"^label_values\((.+),\s*(\w+)\)$")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"\$\{(\w+)\}|\$(\w+)")]
    private static partial Regex Variable();
}
