using Causeway.Conformance.Fakes;
using Causeway.Conformance.Harness.Corpus;
using Causeway.Conformance.Harness.Runner;
using Xunit.Abstractions;

namespace Causeway.Conformance;

/// <summary>
/// The harness judges a scratch corpus against a fake gateway: a case with a deliberately wrong expected status must be
/// reported failed, the same case with the right status passed, and an unsupported feature skipped.
/// </summary>
public sealed class HarnessSelfTest(ITestOutputHelper output) : IDisposable
{
    private readonly string _corpus = Path.Combine(Path.GetTempPath(), "causeway-selftest-" + Guid.NewGuid().ToString("N")[..8]);

    private const string Base = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: selftest
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: gw
          namespace: selftest
        spec:
          gatewayClassName: "{GATEWAY_CLASS_NAME}"
          listeners:
            - name: http
              port: 80
              protocol: HTTP
        """;

    private const string Route = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata:
          name: route
          namespace: selftest
        spec:
          parentRefs:
            - name: gw
          rules:
            - backendRefs:
                - name: fake-backend
                  port: 8080
        """;

    private static string Cases(string name, int status, string features = "[Gateway, HTTPRoute]") => $$"""
        name: {{name}}
        description: harness self-test
        features: {{features}}
        gateway: {namespace: selftest, name: gw}
        expectStatus:
          - kind: HTTPRoute
            namespace: selftest
            name: route
            parent: {kind: Gateway, namespace: selftest, name: gw}
            conditions:
              - {type: Accepted, status: 'True', reason: Accepted}
        cases:
          - request:
              method: GET
              path: '/selftest?x=1'
              scheme: http
              headers: {X-Probe: 'yes'}
            response: {status: {{status}}}
            backend: fake-backend
            namespace: selftest
            backendRequest:
              method: GET
              path: '/selftest?x=1'
              headers: {X-Probe: 'yes'}
        """;

    private void WriteTest(string name, int status, string features = "[Gateway, HTTPRoute]")
    {
        var dir = Path.Combine(_corpus, "tests", name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "cases.yaml"), Cases(name, status, features));
        File.WriteAllText(Path.Combine(dir, "manifests.yaml"), Route);
    }

    /// <summary>A valid test with one extra line the harness does not implement.</summary>
    private void WriteTestWith(string name, string extraTop, string extraCase = "", string features = "[Gateway, HTTPRoute]")
    {
        var dir = Path.Combine(_corpus, "tests", name);
        Directory.CreateDirectory(dir);
        var text = Cases(name, 200, features).Replace("cases:\n", "cases:\n" + extraCase, StringComparison.Ordinal) + "\n" + extraTop;
        File.WriteAllText(Path.Combine(dir, "cases.yaml"), text);
        File.WriteAllText(Path.Combine(dir, "manifests.yaml"), Route);
    }

    [Fact]
    public async Task WrongExpectedStatusIsReportedFailed_RightOnePassed()
    {
        Directory.CreateDirectory(Path.Combine(_corpus, "base"));
        File.WriteAllText(Path.Combine(_corpus, "base", "manifests.yaml"), Base);
        File.WriteAllText(Path.Combine(_corpus, "base", "generated-resources.yaml"), "objects: []\n");
        WriteTest("SelfTestWrongStatus", 404);
        WriteTest("SelfTestRightStatus", 200);
        WriteTest("SelfTestUnsupported", 200, "[Gateway, HTTPRoute, SomeFeatureNobodyHas]");
        // Unknown parts must fail the test loudly, even when its features would have skipped it.
        WriteTestWith("SelfTestUnknownSetupStep", "setup:\n  restartBackends: true\n");
        WriteTestWith("SelfTestUnknownSetupStepUnsupported", "setup:\n  restartBackends: true\n", features: "[Gateway, SomeFeatureNobodyHas]");
        WriteTestWith("SelfTestUnknownAction", "", "  - action: {restart: {kind: Deployment, namespace: selftest, name: x}}\n");
        WriteTestWith("SelfTestUnknownResponseField", "", "  - request: {method: GET, path: /, scheme: http}\n    response: {status: 200, trailers: {X: y}}\n");
        WriteTestWith("SelfTestPopulateMatchesNothing", "setup:\n  populateEndpointSlices: [{name: no-such-slice}]\n");

        await using var session = new ConformanceSession(new SessionOptions
        {
            CorpusDirectory = _corpus,
            GatewayFactory = _ => new FakeGateway(),
            ConvergenceTimeout = TimeSpan.FromSeconds(3),
            StatusTimeout = TimeSpan.FromSeconds(10),
            BaseReadyTimeout = TimeSpan.FromSeconds(10),
            Log = output.WriteLine,
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await session.InitializeAsync(cts.Token);
        Assert.Null(session.UnavailableReason);

        var runner = new TestRunner(session, output.WriteLine);
        var outcomes = new List<TestOutcome>();
        foreach (var name in CorpusLocator.TestNames(_corpus))
            outcomes.Add(await runner.RunAsync(Path.Combine(_corpus, "tests", name), cts.Token));

        var wrong = outcomes.Single(o => o.Name == "SelfTestWrongStatus");
        Assert.Equal(OutcomeKind.Failed, wrong.Kind);
        Assert.Contains("expected status 404, got 200", wrong.Reason);
        var right = outcomes.Single(o => o.Name == "SelfTestRightStatus");
        Assert.True(right.Kind == OutcomeKind.Passed, right.Reason);
        var unsupported = outcomes.Single(o => o.Name == "SelfTestUnsupported");
        Assert.Equal(OutcomeKind.Skipped, unsupported.Kind);
        Assert.Contains("SomeFeatureNobodyHas", unsupported.Reason);

        foreach (var (name, expected) in new[]
                 {
                     ("SelfTestUnknownSetupStep", "setup.restartBackends"),
                     ("SelfTestUnknownSetupStepUnsupported", "setup.restartBackends"),
                     ("SelfTestUnknownAction", "cases[0].action.restart"),
                     ("SelfTestUnknownResponseField", "cases[0].response.trailers"),
                     ("SelfTestPopulateMatchesNothing", "matches no EndpointSlice"),
                 })
        {
            var o = outcomes.Single(x => x.Name == name);
            Assert.True(o.Kind == OutcomeKind.Failed, $"{name}: {o.Kind} {o.Reason}");
            Assert.Contains(expected, o.Reason);
        }
        Assert.Contains("SomeFeatureNobodyHas", outcomes.Single(x => x.Name == "SelfTestUnknownSetupStepUnsupported").Features);

        var report = new ConformanceReport(outcomes.Where(o => !o.Name.StartsWith("SelfTestUnknown", StringComparison.Ordinal) && !o.Name.StartsWith("SelfTestPopulate", StringComparison.Ordinal)).ToList(), SupportedFeatures.All);
        var yaml = report.ToYaml(DateTimeOffset.UtcNow);
        Assert.Contains("kind: ConformanceReport", yaml);
        Assert.Contains("- name: SelfTestWrongStatus", yaml);
        Assert.Contains("GATEWAY-HTTP: core failure (passed 1, failed 1, skipped 0)", report.SummaryLines().First());
        // The test's route was deleted afterwards.
        Assert.Null(session.Store.Get(new Causeway.Model.Objects.ObjectKey("HTTPRoute", "selftest", "route")));
    }

    public void Dispose()
    {
        try { Directory.Delete(_corpus, true); }
        catch (IOException) { }
    }
}
