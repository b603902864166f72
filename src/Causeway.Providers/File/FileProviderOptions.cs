using Causeway.Model.Loading;

namespace Causeway.Providers.File;

public sealed record FileProviderOptions
{
    /// <summary>Files and directories (read recursively) of manifests.</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    /// <summary>Schema validator for Gateway API kinds (CRD schema, defaults, CEL); null checks types only.</summary>
    public IObjectValidator? Validator { get; init; }

    /// <summary>A reload waits until no change was seen for this long...</summary>
    public TimeSpan QuietPeriod { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>...but never longer than this after the first change.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Fallback scan of file times and sizes, for changes the watcher misses (rename-and-replace saves, network filesystems).</summary>
    public TimeSpan RescanInterval { get; init; } = TimeSpan.FromSeconds(2);
}
