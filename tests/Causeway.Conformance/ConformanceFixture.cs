using Causeway.Conformance.Harness;
using Causeway.Conformance.Harness.Corpus;
using Causeway.Conformance.Harness.Runner;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Causeway.Conformance;

/// <summary>
/// One emulated cluster for the whole conformance run: base manifests applied once, tests sequential.
/// At the end writes conformance-report.yaml and conformance-summary.txt next to the test assembly.
/// </summary>
public sealed class ConformanceFixture(IMessageSink sink) : IAsyncLifetime
{
    private readonly List<TestOutcome> _outcomes = [];
    private Action<string> _currentLog = _ => { };
    private string? _corpus;
    private string? _corpusMissing;

    public ConformanceSession? Session { get; private set; }

    public async Task InitializeAsync()
    {
        (_corpus, _corpusMissing) = CorpusLocator.Locate();
        if (_corpus is null) return;
        Session = new ConformanceSession(new SessionOptions
        {
            CorpusDirectory = _corpus,
            GatewayFactory = HarnessAdapters.CreateGateway,
            EchoLauncher = HarnessAdapters.CreateEchoLauncher(),
            IncludeProvisional = SupportedFeatures.IncludeProvisional,
            StatusTimeout = Seconds("CAUSEWAY_CONFORMANCE_STATUS_TIMEOUT", 60),
            ConvergenceTimeout = Seconds("CAUSEWAY_CONFORMANCE_CONVERGENCE_TIMEOUT", 30),
            Log = line => _currentLog(line),
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await Session.InitializeAsync(cts.Token);
        if (Session.UnavailableReason is { } reason) sink.OnMessage(new DiagnosticMessage("conformance: " + reason));
    }

    /// <summary>A timeout in seconds from the environment (for quicker runs while features are missing).</summary>
    private static TimeSpan Seconds(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), out var s) && s > 0 ? TimeSpan.FromSeconds(s) : TimeSpan.FromSeconds(fallback);

    public async Task<TestOutcome> RunAsync(string name, ITestOutputHelper output)
    {
        if (_corpus is null || Session is null)
            return Record(TestOutcome.Skipped(name, [], _corpusMissing ?? "no corpus"));
        _currentLog = line => { try { output.WriteLine(line); } catch (InvalidOperationException) { } };
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            return Record(await new TestRunner(Session, _currentLog).RunAsync(Path.Combine(_corpus, "tests", name), cts.Token));
        }
        finally { _currentLog = _ => { }; }
    }

    private TestOutcome Record(TestOutcome o)
    {
        lock (_outcomes) _outcomes.Add(o);
        return o;
    }

    public async Task DisposeAsync()
    {
        if (_outcomes.Count > 0)
        {
            var report = new ConformanceReport(_outcomes, SupportedFeatures.All);
            var dir = AppContext.BaseDirectory;
            await File.WriteAllTextAsync(Path.Combine(dir, "conformance-report.yaml"), report.ToYaml(DateTimeOffset.UtcNow));
            var lines = report.SummaryLines().ToList();
            await File.WriteAllLinesAsync(Path.Combine(dir, "conformance-summary.txt"), lines);
            foreach (var line in lines)
            {
                sink.OnMessage(new DiagnosticMessage(line));
                Console.WriteLine(line);
            }
        }
        if (Session is not null) await Session.DisposeAsync();
    }
}
