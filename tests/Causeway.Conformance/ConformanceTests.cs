using Causeway.Conformance.Harness.Corpus;
using Causeway.Conformance.Harness.Runner;
using Xunit.Abstractions;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Causeway.Conformance;

/// <summary>
/// One xunit test per corpus test (argument = upstream ShortName). xunit 2.9 has no dynamic skip: a test that is not
/// run (skip, provisional, unsupported feature, runOnlyIf, adapters not wired, no corpus) PASSES, writes
/// "SKIPPED: reason" to its output, and is listed under skippedTests in conformance-report.yaml.
/// </summary>
public sealed class ConformanceTests(ConformanceFixture fixture, ITestOutputHelper output) : IClassFixture<ConformanceFixture>
{
    public static TheoryData<string> Tests()
    {
        var (dir, _) = CorpusLocator.Locate();
        var data = new TheoryData<string>();
        if (dir is null) { data.Add("(no corpus)"); return data; }
        foreach (var name in CorpusLocator.TestNames(dir)) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Tests))]
    public async Task Conformance(string test)
    {
        var outcome = await fixture.RunAsync(test, output);
        switch (outcome.Kind)
        {
            case OutcomeKind.Skipped:
                output.WriteLine($"SKIPPED: {outcome.Reason}");
                break;
            case OutcomeKind.Failed:
                Assert.Fail($"{test}: {outcome.Reason}");
                break;
            default:
                output.WriteLine($"PASSED in {outcome.Duration.TotalSeconds:0.0}s");
                break;
        }
    }
}
