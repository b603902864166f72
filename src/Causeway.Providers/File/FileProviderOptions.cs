using Causeway.Model.Loading;

namespace Causeway.Providers.File;

public sealed record FileProviderOptions
{
    /// <summary>Files and directories (read recursively) of manifests.</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    /// <summary>Schema validator for Gateway API kinds (CRD schema, defaults, CEL); null checks types only.</summary>
    public IObjectValidator? Validator { get; init; }

    /// <summary>
    /// A reload waits until no change was seen for this long. Short: an atomic rename or a single write raises one or
    /// two events within microseconds, and every millisecond here is propagation delay.
    /// </summary>
    public TimeSpan QuietPeriod { get; init; } = TimeSpan.FromMilliseconds(8);

    /// <summary>...but never longer than this after the first change (a writer that never pauses still gets reloaded).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// When a file written in place now holds fewer objects (perhaps caught between truncate and the end of the write),
    /// the reload looks again after this long (or at the next change) before applying it. Renames and deletes are not
    /// held: they leave complete files.
    /// </summary>
    public TimeSpan SettleDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Fallback scan of file times and sizes, for changes the watcher misses (rename-and-replace saves, network filesystems).</summary>
    public TimeSpan RescanInterval { get; init; } = TimeSpan.FromSeconds(2);
}
