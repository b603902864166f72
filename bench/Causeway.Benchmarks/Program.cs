using System.Diagnostics;
using BenchmarkDotNet.Running;
using Causeway.Model.Snapshot;
using Causeway.Translation;

namespace Causeway.Benchmarks;

public static class Program
{
    /// <summary>
    /// Runs the benchmarks: <c>dotnet run -c Release --project bench/Causeway.Benchmarks -- --job short --filter '*'</c>.
    /// <c>quick-translate [routes] [gateways]</c> times a few translations with a stopwatch (a smoke, not a benchmark);
    /// <c>quick-load DIR [repetitions]</c> times the phases of loading manifests; <c>quick-dir DIR</c> load, translate and render;
    /// <c>quick-accesslog [lines]</c> the process CPU time per access log line, old way and new (GC and the writer's pump included).
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
                var (gen0, gen1, gen2, pause) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                var result = Translator.Translate(snapshot, options);
                var wall = sw.Elapsed;
                Console.WriteLine($"translate {routes} routes / {gateways} gateways: {wall.TotalMilliseconds:F0} ms ({(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds:F0} ms CPU), "
                    + $"{(GC.GetAllocatedBytesForCurrentThread() - alloc) / 1048576.0:F1} MB allocated, GCs {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2} "
                    + $"paused {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:F0} ms, {result.Gateways.Count} gateways");
            }
            return;
        }
        if (args.Length > 1 && args[0] == "quick-load")
        {
            LoadPhases.Run(args[1], args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3);
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
        if (args.Length > 0 && args[0] == "quick-accesslog")
        {
            QuickAccessLog(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2_000_000);
            return;
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    /// <summary>
    /// CPU time per line of <see cref="AccessLogBenchmark"/>'s methods, as the process's CPU time over many lines: unlike
    /// wall time it barely moves when other work shares the cores, and it counts what the line costs elsewhere (the
    /// garbage collector, the writer's pump).
    /// </summary>
    private static void QuickAccessLog(int lines)
    {
        var b = new AccessLogBenchmark();
        b.Setup();
        var methods = new (string Name, Action Run)[]
        {
            ("EntryThenUtf8JsonWriter", () => b.EntryThenUtf8JsonWriter()),
            ("BuildAndFormat", () => b.BuildAndFormat()),
            ("RecordIntoWriter", b.RecordIntoWriter),
        };
        for (var round = 0; round < 3; round++)
            foreach (var (name, run) in methods)
            {
                for (var i = 0; i < lines / 10; i++) run();
                GC.Collect();
                Thread.Sleep(20);
                var process = Process.GetCurrentProcess();
                var cpu = process.TotalProcessorTime;
                var alloc = GC.GetTotalAllocatedBytes(precise: true);
                var sw = Stopwatch.StartNew();
                for (var i = 0; i < lines; i++) run();
                Thread.Sleep(20); // the pump's last batch
                process.Refresh();
                var cpuNs = (process.TotalProcessorTime - cpu).TotalMilliseconds * 1e6 / lines;
                Console.WriteLine($"round {round} {name,-24} {cpuNs,7:F0} ns CPU/line  {(sw.Elapsed.TotalMilliseconds - 20) * 1e6 / lines,7:F0} ns wall/line  "
                    + $"{(double)(GC.GetTotalAllocatedBytes(precise: true) - alloc) / lines,5:F0} B/line");
            }
        b.Cleanup();
    }
}
