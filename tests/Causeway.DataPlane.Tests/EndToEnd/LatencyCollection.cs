namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>Tests that measure latency run alone, after the parallel ones (they would measure the other tests otherwise).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LatencyCollection
{
    public const string Name = "EndToEnd latency";
}
