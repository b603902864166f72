using Causeway.Model.Loading;
using System.Text.Json.Nodes;
using Causeway.Model.Schema;

namespace Causeway.Model.Tests.Schema;

/// <summary>
/// Every Gateway API object in the conformance corpus is applied to a real API server upstream, so all of them
/// must pass schema validation. The corpus is located via <c>CAUSEWAY_CONFORMANCE_CORPUS</c> (default
/// <c>/work/shared/conformance</c>); the test is a no-op where no corpus is present.
/// </summary>
public class ConformanceCorpusSchemaTests
{
    private const string GroupPrefix = "gateway.networking.k8s.io/";

    [Fact]
    public void AllCorpusGatewayApiObjectsAreValid()
    {
        var root = Environment.GetEnvironmentVariable("CAUSEWAY_CONFORMANCE_CORPUS") ?? "/work/shared/conformance";
        if (!Directory.Exists(root))
        {
            return;
        }

        var files = Directory.EnumerateFiles(root, "manifests.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var failures = new List<string>();
        var count = 0;
        foreach (var file in files)
        {
            foreach (var doc in YamlJson.LoadAll(File.ReadAllText(file)))
            {
                if (doc is not JsonObject obj || obj["apiVersion"]?.GetValue<string>() is not { } apiVersion ||
                    !apiVersion.StartsWith(GroupPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                if (obj.ToJsonString().Contains("PLACEHOLDER_", StringComparison.Ordinal) ||
                    obj.ToJsonString().Contains("{GATEWAY_CONTROLLER_NAME}", StringComparison.Ordinal))
                {
                    continue; // templates the harness fills in at run time
                }

                count++;
                var kind = obj["kind"]!.GetValue<string>();
                var errors = SchemaValidator.Default.Validate(obj, "gateway.networking.k8s.io", apiVersion[GroupPrefix.Length..], kind);
                foreach (var e in errors)
                {
                    failures.Add($"{Path.GetRelativePath(root, file)} {kind}/{obj["metadata"]?["name"]}: {e}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} errors in {count} objects:\n" + string.Join("\n", failures));
        Assert.True(count > 100, $"only {count} objects found");
    }
}
