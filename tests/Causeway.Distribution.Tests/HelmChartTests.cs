using Causeway.Distribution.Install;

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

            var bundle = InstallBundle.Render(crds: "none").Split("---\n").Skip(1).Select(d => d.TrimEnd('\n')).ToList();
            Assert.StartsWith("apiVersion: apiextensions.k8s.io/v1", bundle[0], StringComparison.Ordinal);
            Assert.StartsWith("apiVersion: v1\nkind: Namespace", bundle[1], StringComparison.Ordinal);
            Assert.Equal(bundle.Skip(2), rendered);
            Assert.Equal(11, Directory.EnumerateFiles(Path.Combine(temp, "crds")).Count());
        }
        finally
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
        }
    }
}
