using Causeway.Conformance.Harness.Corpus;
using Causeway.Conformance.Harness.Runner;

namespace Causeway.Conformance.Unit;

public sealed class CorpusTests
{
    [Fact]
    public void EveryCorpusTestParses()
    {
        var (dir, _) = CorpusLocator.Locate();
        if (dir is null) return; // nothing to parse on a machine without the corpus
        var names = CorpusLocator.TestNames(dir);
        Assert.NotEmpty(names);
        foreach (var name in names)
        {
            var t = TestDefinition.Load(Path.Combine(dir, "tests", name));
            Assert.Equal(name, t.Name);
            Assert.NotEmpty(t.Features);
            foreach (var step in t.Cases.OfType<RequestStep>())
                Assert.Contains(step.Case.Request.Scheme, new[] { "http", "https", "grpc", "ws", "tcp", "tls", "udp" });
        }
    }

    [Fact]
    public void ParsesTheRicherFields()
    {
        var t = TestDefinition.Parse("""
            name: X
            features: [Gateway, HTTPRoute]
            provisional: true
            runOnlyIf: {unsupported: [TLSRouteModeMixed]}
            gateway: {namespace: ns, name: gw, listener: l}
            cases:
              - action: {wait: 1s}
              - subtest: s
                expectStatus:
                  - {readyNamespaces: [ns]}
              - request: {scheme: grpc, service: S, method: EchoTwo, authority: a.example, metadata: {Version: one}}
                response: {code: Unimplemented}
              - request: {method: GET, path: /, scheme: http}
                response: {status: 200}
                weights:
                  distribution: {v1: 0.7, v2: 0.3}
                  requests: 500
                  concurrency: 10
                  tolerance: 0.05
                  attempts: 10
                  entropy: X-Jitter
            """, "");
        Assert.True(t.Provisional);
        Assert.Equal(["TLSRouteModeMixed"], t.RunOnlyIfUnsupported);
        Assert.Equal("l", t.Gateway!.Listener);
        Assert.IsType<ActionStep>(t.Cases[0]);
        var cp = Assert.IsType<CheckpointStep>(t.Cases[1]);
        Assert.Equal(["ns"], cp.Expectations[0].ReadyNamespaces);
        var grpc = Assert.IsType<RequestStep>(t.Cases[2]).Case;
        Assert.Equal("EchoTwo", grpc.Request.Method);
        Assert.Equal("a.example", grpc.Request.Authority);
        Assert.Equal("Unimplemented", grpc.Response.Code);
        var w = Assert.IsType<RequestStep>(t.Cases[3]).Case.Weights!;
        Assert.Equal(0.7, w.Distribution[0].Value);
        Assert.Equal(500, w.Requests);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), Waits.ParseGoDuration("1.5s"));
        Assert.Equal(TimeSpan.FromMilliseconds(300), Waits.ParseGoDuration("300ms"));
    }

    [Theory]
    [InlineData("setup: {restartBackends: true}", "setup.restartBackends")]
    [InlineData("setup: {populateEndpointSlices: [{name: s, backend: b}]}", "setup.populateEndpointSlices[0].backend")]
    [InlineData("shards: 3", "shards")]
    [InlineData("cases:\n  - action: {restart: {name: x}}", "cases[0].action.restart")]
    [InlineData("cases:\n  - waitFor: 3s", "cases[0].waitFor")]
    [InlineData("cases:\n  - request: {scheme: http, path: /, cookies: {a: b}}", "cases[0].request.cookies")]
    [InlineData("cases:\n  - request: {scheme: http}\n    backendRequest: {trailers: {a: b}}", "cases[0].backendRequest.trailers")]
    [InlineData("expectStatus:\n  - {kind: Gateway, namespace: n, name: g, eventually: true}", "expectStatus[0].eventually")]
    [InlineData("expectStatus:\n  - {kind: Gateway, namespace: n, name: g, listenersStatus: [{name: l, hostnames: [a]}]}", "expectStatus[0].listenersStatus[0].hostnames")]
    public void UnknownStepsAndFieldsAreRejected(string extra, string path)
    {
        var e = Assert.Throws<FormatException>(() => TestDefinition.Parse($"name: X\nfeatures: [Gateway]\n{extra}", ""));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void KnownSetupAndFreeFormMapsAreAccepted()
    {
        var t = TestDefinition.Parse("""
            name: X
            features: [Gateway]
            setup: {populateEndpointSlices: [{name: s, namespace: n, rule: backend}]}
            cases:
              - request: {scheme: http, path: /, headers: {Any-Header: v}}
                response: {status: 200, headers: {Whatever: x}}
                informationalHeaders: {X-Anything: y}
              - action: {apply: {kind: ConfigMap, metadata: {name: c, namespace: n}, data: {anything: x}}}
              - action: {patch: {kind: Gateway, name: g, jsonPatch: [{op: add, path: /spec/x, value: {free: form}}]}}
            """, "");
        Assert.Equal(3, t.Cases.Count);
    }

    [Fact]
    public void SkipReasons()
    {
        var supported = new HashSet<string> { "Gateway", "HTTPRoute", "TLSRouteModeMixed" };
        TestDefinition T(string extra) => TestDefinition.Parse($"name: X\nfeatures: [Gateway, HTTPRoute]\n{extra}", "");
        Assert.Null(TestRunner.SkipReason(T(""), supported, false));
        Assert.Contains("provisional", TestRunner.SkipReason(T("provisional: true"), supported, false));
        Assert.Null(TestRunner.SkipReason(T("provisional: true"), supported, true));
        Assert.Contains("skip", TestRunner.SkipReason(T("skip: cannot"), supported, true));
        Assert.Contains("TLSRouteModeMixed", TestRunner.SkipReason(T("runOnlyIf: {unsupported: [TLSRouteModeMixed]}"), supported, true));
        Assert.Contains("TLSRoute", TestRunner.SkipReason(T("runOnlyIf: {supported: [TLSRoute]}"), supported, true));
        Assert.Contains("GRPCRoute", TestRunner.SkipReason(TestDefinition.Parse("name: X\nfeatures: [Gateway, GRPCRoute]", ""), supported, true));
    }
}
