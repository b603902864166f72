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

    private static Dictionary<string, string> ReadTree(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllText, StringComparer.Ordinal);

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
            var image = InstallBundle.DefaultImage;
            var rendered = Directory.EnumerateFiles(Path.Combine(temp, "templates")).Order(StringComparer.Ordinal)
                .Select(f => File.ReadAllText(f)
                    .Replace("{{ .Release.Namespace }}", "causeway-system", StringComparison.Ordinal)
                    .Replace("{{ .Release.Name }}", "causeway", StringComparison.Ordinal)
                    .Replace("\"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"", image, StringComparison.Ordinal)
                    .Replace("{{ .Values.image.pullPolicy }}", "IfNotPresent", StringComparison.Ordinal)
                    .Replace("{{ .Values.replicas }}", "2", StringComparison.Ordinal))
                .Select(t => string.Join('\n', t.Split('\n').Where(l => !l.StartsWith('#'))).TrimEnd('\n'))
                .ToList();
            Assert.DoesNotContain(rendered, t => t.Contains("{{", StringComparison.Ordinal));

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
