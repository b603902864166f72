using Causeway.Providers.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Causeway.Providers.Tests.Runtime;

/// <summary>Not run in parallel with other tests: a full blocking collection pauses every test in the process.</summary>
[CollectionDefinition(nameof(MemoryReclaimerTests), DisableParallelization = true)]
public sealed class MemoryReclaimerCollection;

[Collection(nameof(MemoryReclaimerTests))]
public sealed class MemoryReclaimerTests
{
    private static string Gateways(int n) => Fixtures.ClassYaml + string.Concat(Enumerable.Range(0, n).Select(i => Fixtures.GatewayYaml("g" + i)));

    [Fact]
    public async Task LargeConfigurationChangesTriggerOneRateLimitedCollection()
    {
        var collections = new List<DateTime>();
        await using var runtime = new StandaloneRuntime(new StandaloneRuntimeOptions
        {
            Translate = Fixtures.FakeTranslate,
            MemoryReclaim = new MemoryReclaimOptions { Enabled = true, ObjectDelta = 5, SettleDelay = TimeSpan.FromMilliseconds(10), MinInterval = TimeSpan.FromSeconds(3) },
            Collect = () => { lock (collections) collections.Add(DateTime.UtcNow); },
        }, new FakeDataPlane(), NullLoggerFactory.Instance, TimeProvider.System);

        await runtime.ApplyAsync(Fixtures.Snapshot(Gateways(1)), default);   // 0 -> 2 objects: small
        await runtime.ApplyAsync(Fixtures.Snapshot(Gateways(20)), default);  // 2 -> 21: large
        await Fixtures.WaitUntil(() => runtime.MemoryCollections == 1, TimeSpan.FromSeconds(5), "the first collection");

        await runtime.ApplyAsync(Fixtures.Snapshot(Gateways(22)), default);  // +2: small, nothing
        await runtime.ApplyAsync(Fixtures.Snapshot(Gateways(1)), default);   // 23 -> 2: large, but too soon: deferred
        await Task.Delay(100);
        Assert.Equal(1, runtime.MemoryCollections);
        await Fixtures.WaitUntil(() => runtime.MemoryCollections == 2, TimeSpan.FromSeconds(10), "the deferred collection");
        lock (collections)
        {
            Assert.Equal(2, collections.Count);
            Assert.True(collections[1] - collections[0] >= TimeSpan.FromMilliseconds(2900), $"{(collections[1] - collections[0]).TotalMilliseconds} ms apart");
        }
        await Task.Delay(700);
        Assert.Equal(2, runtime.MemoryCollections);
    }

    [Fact]
    public async Task TheDefaultCollectionIsAFullCompactingCollection()
    {
        await using var runtime = new StandaloneRuntime(new StandaloneRuntimeOptions
        {
            Translate = Fixtures.FakeTranslate,
            MemoryReclaim = new MemoryReclaimOptions { Enabled = true, ObjectDelta = 5, SettleDelay = TimeSpan.FromMilliseconds(10) },
        }, new FakeDataPlane(), NullLoggerFactory.Instance, TimeProvider.System);
        var gen2 = GC.CollectionCount(2);
        await runtime.ApplyAsync(Fixtures.Snapshot(Gateways(10)), default);
        await Fixtures.WaitUntil(() => runtime.MemoryCollections == 1, TimeSpan.FromSeconds(5), "the collection");
        Assert.True(GC.CollectionCount(2) > gen2);
    }

    [Fact]
    public async Task DisabledByDefault()
    {
        await using var runtime = new StandaloneRuntime(new StandaloneRuntimeOptions
        {
            Translate = Fixtures.FakeTranslate,
            Collect = () => throw new InvalidOperationException("must not run"),
        }, new FakeDataPlane(), NullLoggerFactory.Instance, TimeProvider.System);
        await runtime.ApplyAsync(Fixtures.Snapshot(Gateways(1200)), default);
        await Task.Delay(200);
        Assert.Equal(0, runtime.MemoryCollections);
    }
}
