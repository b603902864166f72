using BenchmarkDotNet.Attributes;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Translation;

namespace Causeway.Benchmarks;

/// <summary>
/// Translates a large world: 10,000 HTTPRoutes over 100 Gateways and 1,000 hostnames, with 1,000 Services and their
/// EndpointSlices. Target: well under 200 ms per translation.
/// </summary>
[MemoryDiagnoser]
public class TranslateBenchmark
{
    private ResourceSnapshot _snapshot = ResourceSnapshot.Empty;
    private readonly TranslatorOptions _options = new()
    {
        ControllerNames = [TranslatorOptions.DefaultControllerName],
        Now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
    };

    [Params(10_000)]
    public int Routes { get; set; }

    [GlobalSetup]
    public void Setup() => _snapshot = ResourceSnapshot.Create(World.Build(Routes, gateways: 100, hostnames: 1_000, services: 1_000));

    [Benchmark]
    public int Translate() => Translator.Translate(_snapshot, _options).Gateways.Count;
}
