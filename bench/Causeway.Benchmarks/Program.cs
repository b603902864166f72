using System.Diagnostics;
using BenchmarkDotNet.Running;
using Causeway.Model.Snapshot;
using Causeway.Translation;

namespace Causeway.Benchmarks;

public static class Program
{
    /// <summary>
    /// Runs the benchmarks: <c>dotnet run -c Release --project bench/Causeway.Benchmarks -- --job short --filter '*'</c>.
    /// <c>quick-translate [routes] [gateways]</c> times a few translations with a stopwatch (a smoke, not a benchmark).
    /// </summary>
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "quick-translate")
        {
            var routes = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
            var gateways = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 100;
            var snapshot = ResourceSnapshot.Create(World.Build(routes, gateways, hostnames: 1_000, services: 1_000));
            var options = new TranslatorOptions();
            for (var i = 0; i < 6; i++)
            {
                var alloc = GC.GetAllocatedBytesForCurrentThread();
                var sw = Stopwatch.StartNew();
                var result = Translator.Translate(snapshot, options);
                Console.WriteLine($"translate {routes} routes / {gateways} gateways: {sw.Elapsed.TotalMilliseconds:F0} ms, {(GC.GetAllocatedBytesForCurrentThread() - alloc) / 1048576.0:F1} MB allocated, {result.Gateways.Count} gateways");
            }
            return;
        }
        if (args.Length > 1 && args[0] == "quick-dir")
        {
            for (var i = 0; i < 3; i++)
            {
                var sw = Stopwatch.StartNew();
                var load = new Causeway.Model.Loading.ManifestLoader(Causeway.Model.Loading.CrdObjectValidator.Default).LoadPaths([args[1]]);
                var loaded = sw.Elapsed;
                var snapshot = ResourceSnapshot.Create(load.Objects);
                var result = Translator.Translate(snapshot, new TranslatorOptions());
                var translated = sw.Elapsed;
                var json = Causeway.Translation.Output.ResultWriter.ToJson(Causeway.Translation.Output.ResultWriter.Render(result, snapshot));
                var rendered = sw.Elapsed;
                var yaml = Causeway.Translation.Output.ResultWriter.ToYaml(Causeway.Translation.Output.ResultWriter.Render(result, snapshot));
                Console.WriteLine($"load {loaded.TotalMilliseconds:F0} ms, translate {(translated - loaded).TotalMilliseconds:F0} ms, json {(rendered - translated).TotalMilliseconds:F0} ms ({json.Length / 1048576} MB), yaml {(sw.Elapsed - rendered).TotalMilliseconds:F0} ms ({yaml.Length / 1048576} MB)");
            }
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
