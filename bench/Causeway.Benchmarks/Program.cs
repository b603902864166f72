using BenchmarkDotNet.Running;

namespace Causeway.Benchmarks;

public static class Program
{
    /// <summary>Runs the benchmarks: <c>dotnet run -c Release --project bench/Causeway.Benchmarks -- --job short --filter '*'</c>.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
