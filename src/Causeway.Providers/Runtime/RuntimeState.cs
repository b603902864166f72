using System.Collections.Immutable;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Translation;

namespace Causeway.Providers.Runtime;

/// <summary>The configuration being served: the snapshot, what the translator made of it, and what the data plane reported.</summary>
public sealed record RuntimeState(
    ResourceSnapshot Snapshot,
    TranslationResult Result,
    ImmutableDictionary<string, string> ListenerFailures,
    ImmutableDictionary<string, ImmutableArray<string>> AssignedAddresses,
    ImmutableDictionary<ObjectKey, DateTimeOffset> FirstSeen,
    DateTimeOffset AppliedAt,
    long Version);

public enum ApplyStatus
{
    /// <summary>The snapshot was translated and applied.</summary>
    Applied,

    /// <summary>A newer snapshot arrived before this one was applied; the newer one was applied instead.</summary>
    Superseded,

    /// <summary>Translation or the data plane failed; the previous configuration keeps serving.</summary>
    Failed,
}

/// <summary>The result of <see cref="StandaloneRuntime.ApplyAsync"/>.</summary>
public sealed record ApplyOutcome(ApplyStatus Status, RuntimeState? State, string? Error);
