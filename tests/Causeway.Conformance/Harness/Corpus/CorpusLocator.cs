namespace Causeway.Conformance.Harness.Corpus;

/// <summary>Finds the corpus: $CAUSEWAY_CONFORMANCE_CORPUS, else the nearest parent of the test assembly with shared/conformance.</summary>
public static class CorpusLocator
{
    public const string EnvironmentVariable = "CAUSEWAY_CONFORMANCE_CORPUS";

    /// <summary>The corpus directory, or null with the reason it was not found.</summary>
    public static (string? Directory, string? Reason) Locate()
    {
        var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnv))
            return System.IO.Directory.Exists(Path.Combine(fromEnv, "tests"))
                ? (Path.GetFullPath(fromEnv), null)
                : (null, $"{EnvironmentVariable}={fromEnv} has no tests/ directory");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "conformance");
            if (System.IO.Directory.Exists(Path.Combine(candidate, "tests"))) return (candidate, null);
        }
        return (null, $"no conformance corpus: set {EnvironmentVariable} or place shared/conformance in a parent of {AppContext.BaseDirectory}");
    }

    /// <summary>Short names of the tests of a corpus (directories with a cases.yaml), sorted.</summary>
    public static IReadOnlyList<string> TestNames(string corpus) =>
        [.. System.IO.Directory.EnumerateDirectories(Path.Combine(corpus, "tests"))
            .Where(d => File.Exists(Path.Combine(d, "cases.yaml")))
            .Select(Path.GetFileName)
            .Where(n => n is not null)
            .Select(n => n!)
            .Order(StringComparer.Ordinal)];
}
