using System.Text.Json.Nodes;
using Causeway.Conformance.Harness;
using Causeway.Conformance.Harness.Assertions;
using Causeway.Conformance.Harness.Corpus;
using Causeway.Conformance.Harness.Requests;
using Causeway.Conformance.Harness.Runner;
using Causeway.Model.Objects;

namespace Causeway.Conformance.Unit;

public sealed class AssertionTests
{
    private static CaseSpec Case(string yaml) =>
        ((RequestStep)TestDefinition.Parse($"name: T\ncases:\n{yaml}", "").Cases[0]).Case;

    private static Observation Echo(int status, string pod, string ns, string path, Dictionary<string, IReadOnlyList<string>>? headers = null,
        List<KeyValuePair<string, IReadOnlyList<string>>>? responseHeaders = null) => new()
    {
        Status = status,
        ContentType = "application/json",
        Headers = responseHeaders ?? [],
        Echo = new EchoResponse { Pod = pod, Namespace = ns, Path = path, Method = "GET", Host = "example.com",
            Headers = headers ?? new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase) },
    };

    private const string HeaderCase = """
          - request: {method: GET, path: /add, scheme: http}
            response:
              status: 200
              headers: {X-Resp: 'a,b'}
              absentHeaders: [X-Gone]
            backend: infra-backend-v1
            namespace: gateway-conformance-infra
            backendRequest:
              method: GET
              path: /add
              headers: {X-Header-Add-Append: 'append-val-1,header-val-2'}
              absentHeaders: [X-Header-Remove]
        """;

    [Fact]
    public void HttpCaseChecksBackendRequestAndResponseHeaders()
    {
        var c = Case(HeaderCase);
        var backendHeaders = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase) { ["X-Header-Add-Append"] = ["append-val-1", "header-val-2"] };
        List<KeyValuePair<string, IReadOnlyList<string>>> respHeaders = [new("x-resp", ["a", "b"])];
        var expected = new ExpectedRequest("/add", null);
        Assert.Null(CaseAssertions.Check(c, Echo(200, "infra-backend-v1-bcdfghjklm-npqrs", "gateway-conformance-infra", "/add", backendHeaders, respHeaders), expected));
        Assert.Contains("expected status 200, got 404", CaseAssertions.Check(c, Echo(404, "x", "y", "/add"), expected));
        Assert.Contains("expected backend infra-backend-v1", CaseAssertions.Check(c, Echo(200, "infra-backend-v2-bcdfghjklm-npqrs", "gateway-conformance-infra", "/add", backendHeaders, respHeaders), expected));
        Assert.Contains("namespace", CaseAssertions.Check(c, Echo(200, "infra-backend-v1-a-b", "other", "/add", backendHeaders, respHeaders), expected));
        Assert.Contains("path", CaseAssertions.Check(c, Echo(200, "infra-backend-v1-a-b", "gateway-conformance-infra", "/other", backendHeaders, respHeaders), expected));
        var removed = new Dictionary<string, IReadOnlyList<string>>(backendHeaders, StringComparer.OrdinalIgnoreCase) { ["x-header-remove"] = ["v"] };
        Assert.Contains("must be absent", CaseAssertions.Check(c, Echo(200, "infra-backend-v1-a-b", "gateway-conformance-infra", "/add", removed, respHeaders), expected));
        Assert.Contains("X-Resp", CaseAssertions.Check(c, Echo(200, "infra-backend-v1-a-b", "gateway-conformance-infra", "/add", backendHeaders, [new("X-Resp", ["a"])]), expected));
        Assert.Contains("X-Gone", CaseAssertions.Check(c, Echo(200, "infra-backend-v1-a-b", "gateway-conformance-infra", "/add", backendHeaders, [.. respHeaders, new("X-Gone", ["1"])]), expected));
        Assert.Contains("not an echo", CaseAssertions.Check(c, Echo(200, "p", "n", "/add", null, respHeaders) with { Echo = null }, expected));
        Assert.NotNull(CaseAssertions.Check(c, new Observation { TransportError = "refused" }, expected));
    }

    [Fact]
    public void StatusListsFailuresAndNotForwarded()
    {
        var timeout = Case("  - request: {path: /t, scheme: http}\n    response: {status: [408, 504]}\n");
        Assert.Null(CaseAssertions.Check(timeout, new Observation { Status = 504 }, new(null, null)));
        Assert.Null(CaseAssertions.Check(timeout, new Observation { Status = 408 }, new(null, null)));
        Assert.NotNull(CaseAssertions.Check(timeout, new Observation { Status = 200 }, new(null, null)));
        var failure = Case("  - request: {path: /t, scheme: http}\n    response: {failure: true}\n");
        Assert.Null(CaseAssertions.Check(failure, new Observation { Status = 503 }, new(null, null)));
        Assert.NotNull(CaseAssertions.Check(failure, new Observation { Status = 200 }, new(null, null)));
        var cors = Case("""
              - request: {method: OPTIONS, path: /cors, scheme: http}
                response:
                  status: [200, 204]
                  headerOneOf: {access-control-allow-methods: ['GET, OPTIONS', 'OPTIONS, GET']}
                  ignoreWhitespace: true
                notForwarded: true
            """);
        var preflight = new Observation { Status = 204, Headers = [new("Access-Control-Allow-Methods", ["OPTIONS,GET"])] };
        Assert.Null(CaseAssertions.Check(cors, preflight, new(null, null)));
        Assert.Contains("forwarded", CaseAssertions.Check(cors, Echo(200, "p", "n", "/") with { Headers = preflight.Headers }, new(null, null)));
        var connErr = Case("  - request: {path: /, scheme: https}\n    response: {connectionError: true}\n");
        Assert.Null(CaseAssertions.Check(connErr, new Observation { TransportError = "handshake" }, new(null, null)));
        Assert.NotNull(CaseAssertions.Check(connErr, new Observation { Status = 200 }, new(null, null)));
    }

    [Fact]
    public void RedirectLocationIsChecked()
    {
        var c = Case("  - request: {path: /port, scheme: http, followRedirects: false}\n    response: {status: 302}\n    redirect: {scheme: http, port: '8083', path: /port}\n");
        Observation Redirect(string location) => new() { Status = 302, Headers = [new("Location", [location])] };
        Assert.Null(CaseAssertions.Check(c, Redirect("http://example.com:8083/port"), new(null, null)));
        Assert.NotNull(CaseAssertions.Check(c, Redirect("http://example.com/port"), new(null, null)));
        Assert.NotNull(CaseAssertions.Check(c, Redirect("https://example.com:8083/port"), new(null, null)));
        var noPort = Case("  - request: {path: /s, scheme: http}\n    response: {status: 302}\n    redirect: {scheme: https, host: example.org, path: /s}\n");
        Assert.Null(CaseAssertions.Check(noPort, Redirect("https://example.org/s"), new(null, null)));
        Assert.Null(CaseAssertions.Check(noPort, Redirect("https://example.org:443/s"), new(null, null)));
        Assert.NotNull(CaseAssertions.Check(noPort, Redirect("https://example.org:8443/s"), new(null, null)));
        Assert.NotNull(CaseAssertions.Check(noPort, Redirect("https://other.org/s"), new(null, null)));
    }

    [Fact]
    public void WeightedDistributionRule()
    {
        var w = new WeightsSpec([new("v1", 0.7), new("v2", 0.3), new("v3", 0.0)], 100, 10, 0.05, 1, null);
        Assert.Null(CaseExecutor.CheckDistribution(w, new Dictionary<string, int> { ["v1"] = 72, ["v2"] = 28 }));
        Assert.Contains("share", CaseExecutor.CheckDistribution(w, new Dictionary<string, int> { ["v1"] = 80, ["v2"] = 20 }));
        Assert.Contains("weight 0", CaseExecutor.CheckDistribution(w, new Dictionary<string, int> { ["v1"] = 70, ["v2"] = 29, ["v3"] = 1 }));
        Assert.Contains("never hit", CaseExecutor.CheckDistribution(w, new Dictionary<string, int> { ["v1"] = 100 }));
        Assert.Contains("unexpected", CaseExecutor.CheckDistribution(w, new Dictionary<string, int> { ["v1"] = 70, ["v2"] = 30, ["x"] = 1 }));
    }

    private sealed class View(JsonObject? status, long generation = 2) : IStatusView
    {
        public JsonObject? Status(ObjectKey key) => status;
        public long Generation(ObjectKey key) => generation;
        public long? GenerationBeforePatch(ObjectKey key) => 1;
    }

    private static StatusExpectation Expect(string yaml) =>
        TestDefinition.Parse($"name: T\nexpectStatus:\n{yaml}", "").ExpectStatus[0];

    [Fact]
    public void StatusAssertionsFollowUpstreamHelpers()
    {
        var routeAccepted = Expect("""
              - kind: HTTPRoute
                namespace: ns
                name: r
                parent: {kind: Gateway, namespace: ns, name: gw}
                conditions:
                  - {type: Accepted, status: 'True', reason: Accepted}
            """);
        var status = (JsonObject)JsonNode.Parse($$"""
            {"parents":[{"parentRef":{"group":"gateway.networking.k8s.io","kind":"Gateway","name":"gw"},"controllerName":"{{HarnessConstants.ControllerName}}",
              "conditions":[{"type":"Accepted","status":"True","reason":"Accepted","observedGeneration":2}]}]}
            """)!;
        Assert.Null(StatusAssertions.Check(routeAccepted, new View(status), HarnessConstants.ControllerName));
        Assert.Contains("controllerName", StatusAssertions.Check(routeAccepted, new View(status), "other/controller"));
        var notAccepted = (JsonObject)JsonNode.Parse(status.ToJsonString().Replace("\"True\"", "\"False\"", StringComparison.Ordinal))!;
        Assert.NotNull(StatusAssertions.Check(routeAccepted, new View(notAccepted), HarnessConstants.ControllerName));
        Assert.Contains("does not exist", StatusAssertions.Check(routeAccepted, new View(status, 0), HarnessConstants.ControllerName));

        var latest = Expect("  - {kind: HTTPRoute, namespace: ns, name: r, latestObservedGeneration: true}\n");
        Assert.Null(StatusAssertions.Check(latest, new View(status, 2), HarnessConstants.ControllerName));
        Assert.Contains("observedGeneration", StatusAssertions.Check(latest, new View(status, 3), HarnessConstants.ControllerName));
        var changed = Expect("  - {kind: HTTPRoute, namespace: ns, name: r, generationChanged: true}\n");
        Assert.Null(StatusAssertions.Check(changed, new View(status, 2), HarnessConstants.ControllerName));
        Assert.NotNull(StatusAssertions.Check(changed, new View(status, 1), HarnessConstants.ControllerName));

        var gw = (JsonObject)JsonNode.Parse("""
            {"conditions":[{"type":"Accepted","status":"True","reason":"Accepted","observedGeneration":1}],
             "listeners":[{"name":"tcp","attachedRoutes":2,"supportedKinds":[{"group":"gateway.networking.k8s.io","kind":"TCPRoute"}],
               "conditions":[{"type":"Accepted","status":"True","reason":"Accepted"}]}]}
            """)!;
        var listeners = Expect("""
              - kind: Gateway
                namespace: ns
                name: gw
                listenersStatus:
                  - name: tcp
                    supportedKinds:
                      - {group: gateway.networking.k8s.io, kind: TCPRoute}
                    attachedRoutes: 2
                    conditions:
                      - {type: Accepted, status: 'True', reason: Accepted}
            """);
        Assert.Null(StatusAssertions.Check(listeners, new View(gw, 1), HarnessConstants.ControllerName));
        var gwConditions = Expect("  - kind: Gateway\n    namespace: ns\n    name: gw\n    conditions:\n      - {type: Accepted, status: 'True'}\n");
        Assert.Null(StatusAssertions.Check(gwConditions, new View(gw, 1), HarnessConstants.ControllerName));
        Assert.Contains("observedGeneration", StatusAssertions.Check(gwConditions, new View(gw, 2), HarnessConstants.ControllerName));
        var star = Expect("  - kind: Gateway\n    namespace: ns\n    name: gw\n    listener: '*'\n    conditions:\n      - {type: Programmed, status: 'True'}\n");
        Assert.Contains("Programmed missing", StatusAssertions.Check(star, new View(gw, 1), HarnessConstants.ControllerName));
        var zero = Expect("  - {kind: Gateway, namespace: ns, name: gw, zeroAttachedRoutes: true}\n");
        Assert.NotNull(StatusAssertions.Check(zero, new View(gw, 1), HarnessConstants.ControllerName));
    }
}
