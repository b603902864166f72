using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Causeway.Model.Loading;
using Causeway.Model.Objects;
using Causeway.Model.Schema;

namespace Causeway.Benchmarks;

/// <summary>
/// <c>quick-load DIR</c>: times the phases of loading a directory of manifests (YAML to JSON trees, schema + CEL
/// validation, object mapping, then the whole <see cref="ManifestLoader"/>) with a stopwatch, CPU time and allocations.
/// A smoke for finding where load time goes, not a benchmark.
/// </summary>
public static class LoadPhases
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
    };

    public static void Run(string dir, int repetitions)
    {
        var cold = Measure(() => CrdObjectValidator.Default.GetHashCode());
        Console.WriteLine($"schema set load (cold): {cold}");
        var files = ManifestLoader.ExpandPaths([dir]).Select(File.ReadAllText).ToList();
        for (var rep = 0; rep < repetitions; rep++)
        {
            var events = 0;
            var raw = Measure(() =>
            {
                foreach (var f in files)
                {
                    var parser = new YamlDotNet.Core.Parser(new StringReader(f));
                    while (parser.MoveNext()) events++;
                }
            });
            Console.WriteLine($"YamlDotNet events only: {events} events {raw}");
            List<JsonObject> docs = [];
            var parse = Measure(() =>
            {
                docs = [.. files.SelectMany(YamlJson.ReadDocuments).Select(d => d.Root).OfType<JsonObject>()];
            });
            var validate = Measure(() =>
            {
                foreach (var d in docs)
                {
                    var (group, version) = KindRegistry.SplitApiVersion(d["apiVersion"]!.GetValue<string>());
                    var info = KindRegistry.Find(group, d["kind"]!.GetValue<string>());
                    if (info is { SchemaValidated: true })
                        CrdObjectValidator.Default.Validate(d, group, version, info.Kind);
                }
            });
            var map = Measure(() =>
            {
                foreach (var d in docs)
                {
                    var (group, _) = KindRegistry.SplitApiVersion(d["apiVersion"]!.GetValue<string>());
                    var info = KindRegistry.Find(group, d["kind"]!.GetValue<string>());
                    if (info is not null && info.Kind is not ("Secret" or "EnvoyProxy"))
                        _ = (KubeObject)d.Deserialize(info.ClrType, Json)!;
                }
            });
            var whole = Measure(() => new ManifestLoader(CrdObjectValidator.Default).LoadPaths([dir]));
            Console.WriteLine($"{docs.Count} documents: parse {parse} | validate {validate} | map {map} | LoadPaths {whole}");
        }
    }

    private static string Measure(Action action)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var alloc = GC.GetTotalAllocatedBytes(precise: false);
        var sw = Stopwatch.StartNew();
        action();
        var wall = sw.Elapsed;
        var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return $"{wall.TotalMilliseconds:F0} ms ({cpuUsed.TotalMilliseconds:F0} ms CPU, {(GC.GetTotalAllocatedBytes(precise: false) - alloc) / 1048576.0:F0} MB)";
    }
}
