using Causeway.DataPlane.Pipeline;
using Causeway.Model.Loading;
using Causeway.Model.Snapshot;
using Causeway.Translation;

namespace Causeway.DataPlane.Tests.Plans;

/// <summary>
/// The second golden layer: the translator's cases (<c>testdata/NAME.in.yaml</c>, whose IR the translator goldens
/// check) compiled into route plans and printed (<c>testdata/NAME.plan.txt</c>): every route's steps in pipeline
/// order and the transports that run it, so a diff shows what a change does to each route and where it runs. Cases
/// without HTTP routes have no plan file. Set CAUSEWAY_UPDATE_GOLDEN=1 to regenerate; review the diff.
/// </summary>
public class PlanGoldenTests
{
    private static readonly TranslatorOptions Options = new()
    {
        ControllerNames = [TranslatorOptions.DefaultControllerName, TranslatorOptions.EnvoyGatewayControllerName],
        Now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
    };

    public static string TestDataDirectory { get; } = Find();

    public static IEnumerable<object[]> Cases() =>
        Directory.EnumerateFiles(TestDataDirectory, "*.in.yaml").Order(StringComparer.Ordinal)
            .Select(f => new object[] { Path.GetFileName(f)[..^".in.yaml".Length] });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Prints_the_plan_of_every_route(string name)
    {
        var load = new ManifestLoader(CrdObjectValidator.Default).LoadText(File.ReadAllText(Path.Combine(TestDataDirectory, name + ".in.yaml")), name);
        var result = Translator.Translate(ResourceSnapshot.Create(load.Objects), Options);
        var actual = PlanPrinter.Print(result.Gateways);
        var hasRoutes = actual.Contains("        match ", StringComparison.Ordinal);
        var expectedPath = Path.Combine(TestDataDirectory, name + ".plan.txt");
        if (Environment.GetEnvironmentVariable("CAUSEWAY_UPDATE_GOLDEN") == "1")
        {
            if (hasRoutes) File.WriteAllText(expectedPath, actual);
            else File.Delete(expectedPath);
            return;
        }
        if (!hasRoutes)
        {
            Assert.False(File.Exists(expectedPath), $"{expectedPath}: the case has no HTTP routes any more; run with CAUSEWAY_UPDATE_GOLDEN=1");
            return;
        }
        Assert.True(File.Exists(expectedPath), $"{expectedPath} is missing: run with CAUSEWAY_UPDATE_GOLDEN=1");
        Assert.Equal(File.ReadAllText(expectedPath), actual);
    }

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "testdata"))) dir = dir.Parent;
        return dir is null ? throw new DirectoryNotFoundException("testdata not found above " + AppContext.BaseDirectory) : Path.Combine(dir.FullName, "testdata");
    }
}
