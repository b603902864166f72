using Causeway.Model.Loading;

namespace Causeway.Translation.Tests;

internal static class TestData
{
    /// <summary>The repository's testdata directory, found by walking up from the test assembly.</summary>
    public static string Directory { get; } = Find();

    /// <summary>The schema validator used by the loader in tests (null until one is wired).</summary>
    public static IObjectValidator? Validator => CrdObjectValidator.Default;

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.Directory.Exists(Path.Combine(dir.FullName, "testdata")))
            dir = dir.Parent;
        return dir is null ? throw new DirectoryNotFoundException("testdata not found above " + AppContext.BaseDirectory) : Path.Combine(dir.FullName, "testdata");
    }
}
