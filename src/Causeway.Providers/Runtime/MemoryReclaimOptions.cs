namespace Causeway.Providers.Runtime;

/// <summary>When <see cref="MemoryReclaimer"/> runs an aggressive, compacting collection after an apply.</summary>
public sealed record MemoryReclaimOptions
{
    /// <summary>Off by default (tests run many runtimes in one process); <c>causeway run</c> turns it on.</summary>
    public bool Enabled { get; init; }

    /// <summary>Only an apply that changed the number of objects by at least this many triggers a collection.</summary>
    public int ObjectDelta { get; init; } = 1000;

    /// <summary>How long after the apply the collection runs (the apply's callers first release the old configuration).</summary>
    public TimeSpan SettleDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>At most one collection per this interval; one due earlier is deferred.</summary>
    public TimeSpan MinInterval { get; init; } = TimeSpan.FromSeconds(5);
}
