using System.Text;
using Causeway.Model.Loading;
using Causeway.Model.Snapshot;
using Causeway.Translation.Output;

namespace Causeway.Translation.Tests;

/// <summary>
/// Golden translator cases: <c>testdata/NAME.in.yaml</c> (resources) -> <c>testdata/NAME.out.yaml</c> (load errors, IR and
/// statuses). Set CAUSEWAY_UPDATE_GOLDEN=1 to regenerate the outputs; review the diff.
/// </summary>
public class GoldenTests
{
    public static readonly TranslatorOptions Options = new()
    {
        ControllerNames = [TranslatorOptions.DefaultControllerName, TranslatorOptions.EnvoyGatewayControllerName],
        Now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
    };

    public static IEnumerable<object[]> Cases() =>
        Directory.EnumerateFiles(TestData.Directory, "*.in.yaml").Order(StringComparer.Ordinal)
            .Select(f => new object[] { Path.GetFileName(f)[..^".in.yaml".Length] });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Translates(string name)
    {
        var input = Path.Combine(TestData.Directory, name + ".in.yaml");
        var expectedPath = Path.Combine(TestData.Directory, name + ".out.yaml");
        var actual = Render(input);
        if (Environment.GetEnvironmentVariable("CAUSEWAY_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(expectedPath, actual);
            return;
        }
        Assert.True(File.Exists(expectedPath), $"{expectedPath} is missing: run with CAUSEWAY_UPDATE_GOLDEN=1");
        Assert.Equal(File.ReadAllText(expectedPath), actual);
    }

    public static string Render(string inputFile)
    {
        var load = new ManifestLoader(TestData.Validator).LoadText(File.ReadAllText(inputFile), Path.GetFileName(inputFile));
        var snapshot = ResourceSnapshot.Create(load.Objects);
        var result = Translator.Translate(snapshot, Options);
        var sb = new StringBuilder();
        foreach (var e in load.Errors) sb.Append("# error: ").AppendLine(e.ToString());
        var root = ResultWriter.Render(result, snapshot);
        if (!result.ProxyConfigs.IsEmpty)
        {
            var pcs = new System.Text.Json.Nodes.JsonObject();
            foreach (var (gw, pc) in result.ProxyConfigs.OrderBy(x => x.Key, StringComparer.Ordinal))
                pcs[gw] = System.Text.Json.JsonSerializer.SerializeToNode(new { pc.Kind, pc.Namespace, pc.Name, pc.Spec }, ResultWriter.Json);
            root["proxyConfigs"] = pcs;
        }
        sb.Append(ResultWriter.ToYaml(root));
        return sb.ToString();
    }
}
