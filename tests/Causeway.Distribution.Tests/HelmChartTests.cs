using Causeway.Distribution.Install;
using YamlDotNet.RepresentationModel;

namespace Causeway.Distribution.Tests;

public sealed class HelmChartTests
{
    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Causeway.slnx"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    /// <summary>The generated files: dashboards/ and files/ are written by hand (the templates embed them).</summary>
    private static Dictionary<string, string> ReadTree(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => (Path: Path.GetRelativePath(root, f).Replace('\\', '/'), Full: f))
            .Where(f => !f.Path.StartsWith("dashboards/", StringComparison.Ordinal) && !f.Path.StartsWith("files/", StringComparison.Ordinal))
            .ToDictionary(f => f.Path, f => File.ReadAllText(f.Full), StringComparer.Ordinal);

    /// <summary>
    /// charts/causeway must be exactly what the generator writes. To regenerate after changing the bundle:
    /// CAUSEWAY_UPDATE_CHART=1 dotnet test tests/Causeway.Distribution.Tests --filter HelmChart
    /// </summary>
    [Fact]
    public void ChartInRepositoryMatchesTheGenerator()
    {
        var chart = Path.Combine(RepoRoot(), "charts", "causeway");
        if (Environment.GetEnvironmentVariable("CAUSEWAY_UPDATE_CHART") == "1") InstallBundle.RenderHelmTemplates(chart);

        var temp = Path.Combine(Path.GetTempPath(), "causeway-chart-" + Guid.NewGuid().ToString("N"));
        try
        {
            InstallBundle.RenderHelmTemplates(temp);
            var expected = ReadTree(temp);
            Assert.True(Directory.Exists(chart), "charts/causeway is missing: run with CAUSEWAY_UPDATE_CHART=1");
            var actual = ReadTree(chart);
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
            foreach (var (path, content) in expected)
                Assert.True(content == actual[path], $"charts/causeway/{path} drifted from the generator: run with CAUSEWAY_UPDATE_CHART=1");

            // Every hand-written dashboard has its ConfigMap in the template, and the alerts file is there.
            Assert.Equal(HelmChart.Dashboards.Select(d => d + ".json").Order(StringComparer.Ordinal),
                Directory.EnumerateFiles(Path.Combine(chart, "dashboards")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            Assert.True(File.Exists(Path.Combine(chart, HelmChart.AlertsFile)), HelmChart.AlertsFile);
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>With the chart's default values substituted as Helm would, the templates are the bundle's objects.</summary>
    [Fact]
    public void TemplatesWithDefaultValuesRenderTheSameObjectsAsTheBundle()
    {
        var temp = Path.Combine(Path.GetTempPath(), "causeway-chart-" + Guid.NewGuid().ToString("N"));
        try
        {
            InstallBundle.RenderHelmTemplates(temp);
            var renderer = new ChartRenderer(temp, "causeway", "causeway-system");
            var rendered = Directory.EnumerateFiles(Path.Combine(temp, "templates")).Order(StringComparer.Ordinal)
                .Select(f => renderer.Render(Path.GetFileName(f)).Replace($"\"{InstallBundle.DefaultImage}\"", InstallBundle.DefaultImage, StringComparison.Ordinal))
                .Select(t => string.Join('\n', t.Split('\n').Where(l => !l.StartsWith('#'))).TrimEnd('\n'))
                .Where(t => t.Length > 0) // the PodMonitor, dashboards and PrometheusRule are off by default
                .ToList();
            Assert.DoesNotContain(rendered, t => t.Contains("{{", StringComparison.Ordinal));
            Assert.DoesNotContain(rendered, t => t.Contains("monitoring.coreos.com", StringComparison.Ordinal) || t.Contains("grafana_dashboard", StringComparison.Ordinal));

            var envoyGateway = Causeway.Model.Schema.CrdSchemaSet.GetEnvoyGatewayCrdDocuments();
            var crds = 1 + envoyGateway.Count; // the ProxyConfig CRD, then Envoy Gateway's
            var bundle = System.Text.RegularExpressions.Regex.Split(InstallBundle.Render(crds: "none"), "^---\n", System.Text.RegularExpressions.RegexOptions.Multiline).Skip(1).Select(d => d.TrimEnd('\n')).ToList();
            foreach (var crd in bundle.Take(crds))
                Assert.StartsWith("apiVersion: apiextensions.k8s.io/v1", string.Join('\n', crd.Split('\n').Where(l => !l.StartsWith('#'))), StringComparison.Ordinal);
            Assert.StartsWith("apiVersion: v1\nkind: Namespace", bundle[crds], StringComparison.Ordinal);
            Assert.Equal(bundle.Skip(crds + 1), rendered);
            Assert.Equal(11 + envoyGateway.Count, Directory.EnumerateFiles(Path.Combine(temp, "crds")).Count());
            foreach (var (file, yaml) in envoyGateway)
                Assert.Equal(yaml, File.ReadAllText(Path.Combine(temp, "crds", file))); // vendored unchanged
            Assert.True(File.Exists(Path.Combine(temp, "ENVOY-GATEWAY-CRDS-NOTICE")));
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>
    /// With metrics.podMonitor, dashboards and prometheusRule enabled: a PodMonitor scraping the "metrics" port of the
    /// controller and of the proxies, one ConfigMap per dashboard labelled for Grafana's sidecar with the dashboard's JSON,
    /// and a PrometheusRule whose spec is the rules file.
    /// </summary>
    [Fact]
    public void OptionalMonitoringObjectsRenderWhenEnabled()
    {
        var chart = Path.Combine(RepoRoot(), "charts", "causeway");
        var renderer = new ChartRenderer(chart, "gw", "monitoring-test", new Dictionary<string, string>
        {
            ["metrics.podMonitor.enabled"] = "true",
            ["dashboards.enabled"] = "true",
            ["prometheusRule.enabled"] = "true",
        });

        var monitor = renderer.Documents("08-podmonitor.yaml").Single();
        Assert.Equal("PodMonitor", S(monitor, "kind"));
        Assert.Equal("monitoring.coreos.com/v1", S(monitor, "apiVersion"));
        Assert.Equal("monitoring-test", S(monitor, "metadata", "namespace"));
        Assert.Equal("true", S(monitor, "spec", "namespaceSelector", "any"));
        var endpoint = (YamlMappingNode)((YamlSequenceNode)monitor["spec"]["podMetricsEndpoints"]).Single();
        Assert.Equal("metrics", S(endpoint, "port"));
        Assert.Equal("/metrics", S(endpoint, "path"));
        Assert.Equal("30s", S(endpoint, "interval"));
        var expression = (YamlMappingNode)((YamlSequenceNode)monitor["spec"]["selector"]["matchExpressions"]).Single();
        var selected = ((YamlSequenceNode)expression["values"]).Select(v => ((YamlScalarNode)v).Value).ToList();
        // The values the controller's and the proxies' pods carry.
        Assert.Equal("In", S(expression, "operator"));
        Assert.Equal("app.kubernetes.io/name", S(expression, "key"));
        Assert.Equal(["causeway", "causeway-proxy"], selected);
        var controllerPod = (YamlMappingNode)Parse(InstallBundle.Render(crds: "none")).Single(d => S(d, "kind") == "Deployment")["spec"]["template"];
        Assert.Contains(S(controllerPod, "metadata", "labels", "app.kubernetes.io/name"), selected);
        Assert.Contains(((YamlSequenceNode)controllerPod["spec"]["containers"][0]["ports"]).Cast<YamlMappingNode>(), p => S(p, "name") == "metrics");

        var maps = renderer.Documents("09-dashboards.yaml");
        Assert.Equal(HelmChart.Dashboards.Count, maps.Count);
        foreach (var (map, dashboard) in maps.Zip(HelmChart.Dashboards))
        {
            Assert.Equal("ConfigMap", S(map, "kind"));
            Assert.Equal($"gw-dashboard-{dashboard}", S(map, "metadata", "name"));
            Assert.Equal("1", S(map, "metadata", "labels", "grafana_dashboard"));
            var json = S(map, "data", $"causeway-{dashboard}.json");
            var expected = File.ReadAllText(Path.Combine(chart, "dashboards", dashboard + ".json"));
            Assert.Equal(expected.TrimEnd('\n'), json);
            Assert.StartsWith("Causeway / ", (string?)System.Text.Json.Nodes.JsonNode.Parse(json)!["title"], StringComparison.Ordinal);
        }

        var rule = renderer.Documents("10-prometheusrule.yaml").Single();
        Assert.Equal("PrometheusRule", S(rule, "kind"));
        var groups = (YamlSequenceNode)rule["spec"]["groups"];
        var file = (YamlMappingNode)ParseOne(File.ReadAllText(Path.Combine(chart, HelmChart.AlertsFile)));
        Assert.Equal(Json(file["groups"]), Json(groups));
        Assert.Equal(8, groups.Cast<YamlMappingNode>().Sum(g => ((YamlSequenceNode)g["rules"]).Count()));

        // Off (the default): nothing but comments.
        var off = new ChartRenderer(chart, "gw", "monitoring-test");
        foreach (var t in new[] { "08-podmonitor.yaml", "09-dashboards.yaml", "10-prometheusrule.yaml" }) Assert.Empty(off.Documents(t));
    }

    private static string S(YamlNode node, params string[] path)
    {
        foreach (var p in path) node = ((YamlMappingNode)node)[p];
        return ((YamlScalarNode)node).Value!;
    }

    private static List<YamlMappingNode> Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return [.. stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>()];
    }

    private static YamlNode ParseOne(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Single().RootNode;
    }

    /// <summary>A canonical text of a YAML tree (scalars by value, whatever their quoting or block style).</summary>
    private static string Json(YamlNode node) => node switch
    {
        YamlScalarNode s => System.Text.Json.JsonSerializer.Serialize(s.Value),
        YamlSequenceNode q => "[" + string.Join(",", q.Select(Json)) + "]",
        YamlMappingNode m => "{" + string.Join(",", m.Children.Select(c => Json(c.Key) + ":" + Json(c.Value))) + "}",
        _ => throw new InvalidOperationException(node.GetType().Name),
    };
}
