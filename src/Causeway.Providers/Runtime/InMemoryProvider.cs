using Causeway.Model.Objects;
using Causeway.Model.Snapshot;

namespace Causeway.Providers.Runtime;

/// <summary>
/// A provider without files, for tests and the conformance harness: <see cref="Apply"/> upserts objects,
/// <see cref="Delete"/> removes them, and each change is handed to the runtime (coalesced there).
/// </summary>
public sealed class InMemoryProvider(StandaloneRuntime runtime)
{
    private readonly Lock _gate = new();
    private ResourceSnapshot _snapshot = ResourceSnapshot.Empty;

    public ResourceSnapshot Snapshot
    {
        get { lock (_gate) return _snapshot; }
    }

    /// <summary>Upserts <paramref name="objects"/> and waits until the runtime applied the result (or a newer one).</summary>
    public Task<ApplyOutcome> Apply(IEnumerable<KubeObject> objects, CancellationToken ct = default) =>
        Change(s => s.With(objects), ct);

    /// <summary>Removes the objects with these keys (missing keys are ignored) and waits for the apply.</summary>
    public Task<ApplyOutcome> Delete(IEnumerable<ObjectKey> keys, CancellationToken ct = default) =>
        Change(s => s.With([], keys), ct);

    /// <summary>Replaces everything with <paramref name="objects"/>.</summary>
    public Task<ApplyOutcome> Replace(IEnumerable<KubeObject> objects, CancellationToken ct = default) =>
        Change(_ => ResourceSnapshot.Create(objects), ct);

    private Task<ApplyOutcome> Change(Func<ResourceSnapshot, ResourceSnapshot> change, CancellationToken ct)
    {
        ResourceSnapshot next;
        lock (_gate)
        {
            next = change(_snapshot);
            _snapshot = next;
            // Queued under the lock so snapshots reach the runtime in the order they were made.
            return runtime.ApplyAsync(next, ct);
        }
    }
}
