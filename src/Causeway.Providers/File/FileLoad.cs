using Causeway.Model.Loading;
using Causeway.Model.Snapshot;

namespace Causeway.Providers.File;

/// <summary>One load of the files: the snapshot (null when there were errors) and every diagnostic.</summary>
public sealed record FileLoad(ResourceSnapshot? Snapshot, IReadOnlyList<LoadDiagnostic> Errors, IReadOnlyList<LoadDiagnostic> Warnings, DateTimeOffset LoadedAt)
{
    public bool Ok => Errors.Count == 0;
}
