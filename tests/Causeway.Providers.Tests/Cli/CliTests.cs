using System.Net;
using System.Text.Json.Nodes;
using Causeway.Cli;
using Causeway.Providers.Admin;
using Causeway.Providers.Runtime;
using Causeway.Providers.Tests.Admin;
using Causeway.Translation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Causeway.Providers.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("causeway-cli-").FullName;
    private readonly StringWriter _out = new();
    private readonly StringWriter _err = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private CliContext Context(IGatewayDataPlane? plane = null, Action<Uri>? adminStarted = null) => new()
    {
        Out = _out,
        Err = _err,
        DataPlaneFactory = (_, _, _, _) => plane,
        LoggerFactory = NullLoggerFactory.Instance,
        AdminStarted = adminStarted,
    };

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private static string SecretYaml()
    {
        var (cert, key) = AdminServerTests.SelfSigned();
        return $"""
            apiVersion: v1
            kind: Secret
            metadata:
              name: test-cert
              namespace: default
            type: kubernetes.io/tls
            data:
              tls.crt: {Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(cert))}
              tls.key: {Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(key))}
            """;
    }

    [Theory]
    [InlineData("run")]
    [InlineData("translate")]
    [InlineData("validate")]
    [InlineData("status")]
    public async Task EveryCommandHasHelp(string command)
    {
        Assert.Equal(0, await CausewayCli.InvokeAsync([command, "--help"], Context()));
        Assert.Contains("Usage:", _out.ToString());
        Assert.Contains(command, _out.ToString());
    }

    [Fact]
    public async Task ValidateListsEveryErrorWithFileAndLineAndFails()
    {
        Write("a.yaml", Fixtures.ClassYaml + "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: Bad_Name\n");
        Write("b.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports: [oops\n");
        Write("c.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n");
        Assert.Equal(1, await CausewayCli.InvokeAsync(["validate", _dir], Context()));
        var output = _out.ToString();
        Assert.Contains($"error: {Path.Combine(_dir, "a.yaml")}:", output);
        Assert.Contains($"error: {Path.Combine(_dir, "b.yaml")}:", output);
        Assert.Contains("warning: ", output);
        Assert.Contains("Deployment", output);
        Assert.Contains("2 error(s)", output);
    }

    [Fact]
    public async Task ValidateFailsOnARouteRegexTheDataPlaneCannotCompileNamingRouteAndField()
    {
        Write("a.yaml", Fixtures.ClassYaml + Fixtures.GatewayYaml("g") + """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata:
              name: r
              namespace: default
            spec:
              parentRefs:
              - name: g
              rules:
              - matches:
                - path: {type: RegularExpression, value: "/a/(b"}

            """);
        Assert.Equal(1, await CausewayCli.InvokeAsync(["validate", _dir], Context()));
        var output = _out.ToString();
        Assert.Contains("error: HTTPRoute default/r: spec.rules[0].matches[0].path.value: invalid regular expression: ", output);
        Assert.DoesNotContain("warning: HTTPRoute default/r", output);
        Assert.Contains("1 error(s)", output);
    }

    [Fact]
    public async Task ValidateSucceedsOnGoodManifests()
    {
        Write("a.yaml", Fixtures.ClassYaml + Fixtures.GatewayYaml("g"));
        Assert.Equal(0, await CausewayCli.InvokeAsync(["validate", _dir], Context()));
        Assert.Contains("2 object(s) valid", _out.ToString());
    }

    [Fact]
    public async Task TranslatePrintsJsonAndYamlWithoutSecretData()
    {
        Write("a.yaml", Fixtures.ClassYaml + Fixtures.GatewayYaml("g") + SecretYaml());
        Assert.Equal(0, await CausewayCli.InvokeAsync(["translate", _dir, "--format", "json"], Context()));
        var json = JsonNode.Parse(_out.ToString())!;
        Assert.NotNull(json["gateways"]);
        Assert.NotNull(json["statuses"]);
        _out.GetStringBuilder().Clear();
        Assert.Equal(0, await CausewayCli.InvokeAsync(["translate", _dir, "-o", "ir"], Context()));
        var yaml = _out.ToString();
        Assert.DoesNotContain("PRIVATE KEY", yaml);
        Assert.DoesNotContain("LS0t", yaml); // base64 of "---" (PEM armour)
        Assert.Equal(1, await CausewayCli.InvokeAsync(["translate", _dir, "--format", "xml"], Context()));
    }

    [Fact]
    public async Task TranslateFailsOnLoadErrors()
    {
        Write("a.yaml", "kind: Gateway\n");
        Assert.Equal(1, await CausewayCli.InvokeAsync(["translate", _dir], Context()));
        Assert.Contains("error: ", _err.ToString());
        Assert.Equal("", _out.ToString());
    }

    [Fact]
    public async Task StatusPrintsGatewaysAndRoutesFromTheAdminApi()
    {
        await using var runtime = new StandaloneRuntime(new StandaloneRuntimeOptions { AddressPool = "127.10.0.0/16", Translate = Fixtures.FakeTranslate },
            new FakeDataPlane(), NullLoggerFactory.Instance, TimeProvider.System);
        await using var admin = new AdminServer(new AdminServerOptions { Address = IPEndPoint.Parse("127.0.0.1:0") }, runtime, NullLoggerFactory.Instance);
        await admin.StartAsync(default);
        await runtime.ApplyAsync(Fixtures.Snapshot(Fixtures.ClassYaml + Fixtures.GatewayYaml("test-gw", "test")), default);

        Assert.Equal(0, await CausewayCli.InvokeAsync(["status", "--admin", admin.BaseAddress!.ToString()], Context()));
        var lines = _out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+CLASS\s+ADDRESS\s+PROGRAMMED\s+AGE$", lines[0]);
        Assert.Matches(@"^test-gw\s+eg\s+127\.10\.0\.1\s+True\s+\d+s$", lines[1]);

        _out.GetStringBuilder().Clear();
        Assert.Equal(0, await CausewayCli.InvokeAsync(["status", "--admin", admin.BaseAddress!.ToString(), "-A"], Context()));
        Assert.Contains("NAMESPACE", _out.ToString());
        Assert.Contains("ACCEPTED", _out.ToString());
    }

    [Fact]
    public async Task StatusAllListsPoliciesWithTheirAncestors()
    {
        await using var runtime = new StandaloneRuntime(new StandaloneRuntimeOptions { AddressPool = "127.10.0.0/16", Translate = Translator.Translate },
            new FakeDataPlane(), NullLoggerFactory.Instance, TimeProvider.System);
        await using var admin = new AdminServer(new AdminServerOptions { Address = IPEndPoint.Parse("127.0.0.1:0") }, runtime, NullLoggerFactory.Instance);
        await admin.StartAsync(default);
        const string Policies = """
            apiVersion: gateway.envoyproxy.io/v1alpha1
            kind: BackendTrafficPolicy
            metadata: {name: gw-limits, namespace: test, creationTimestamp: "2025-01-01T00:00:00Z"}
            spec:
              targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: test-gw}]
              circuitBreaker: {maxParallelRequests: 5}
            ---
            apiVersion: gateway.envoyproxy.io/v1alpha1
            kind: BackendTrafficPolicy
            metadata: {name: late, namespace: test, creationTimestamp: "2025-02-01T00:00:00Z"}
            spec:
              targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: test-gw}]
              faultInjection: {abort: {httpStatus: 503}}
            """;
        await runtime.ApplyAsync(Fixtures.Snapshot(Fixtures.ClassYaml + Fixtures.GatewayYaml("test-gw", "test") + Policies), default);

        Assert.Equal(0, await CausewayCli.InvokeAsync(["status", "--admin", admin.BaseAddress!.ToString(), "-A"], Context()));
        var lines = _out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^NAMESPACE\s+NAME\s+KIND\s+ANCESTOR\s+ACCEPTED\s+CONDITIONS\s+AGE$"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^test\s+gw-limits\s+BackendTrafficPolicy\s+Gateway test/test-gw\s+True\s+\d+d$"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^test\s+late\s+BackendTrafficPolicy\s+Gateway test/test-gw\s+False \(Conflicted\)\s+\d+d$"));
    }

    [Fact]
    public async Task StatusFailsWhenNothingAnswers()
    {
        Assert.Equal(1, await CausewayCli.InvokeAsync(["status", "--admin", "http://127.0.0.1:1"], Context()));
        Assert.Contains("cannot read", _err.ToString());
    }

    [Fact]
    public async Task RunServesUntilCancelledThenExitsZero()
    {
        Write("a.yaml", Fixtures.ClassYaml + Fixtures.GatewayYaml("g"));
        var plane = new FakeDataPlane();
        var started = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = CausewayCli.InvokeAsync(["run", _dir, "--admin-address", "127.0.0.1:0", "--metrics-address", "off"], Context(plane, u => started.TrySetResult(u)), ct: cts.Token);
        var admin = await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        using var client = new HttpClient { BaseAddress = admin, Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("readyz")).StatusCode);
        Assert.Single(plane.Applied);

        Write("b.yaml", Fixtures.GatewayYaml("h"));
        await Fixtures.WaitUntil(() => plane.Applied.Count >= 2, TimeSpan.FromSeconds(10), "the reload");

        await cts.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(plane.Disposed);
    }

    [Fact]
    public async Task RunExitsNonZeroListingFirstLoadErrors()
    {
        Write("a.yaml", "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: Bad_Name\n");
        Assert.Equal(1, await CausewayCli.InvokeAsync(["run", _dir, "--admin-address", "127.0.0.1:0"], Context(new FakeDataPlane())));
        Assert.Contains($"error: {Path.Combine(_dir, "a.yaml")}:4:", _err.ToString());
    }

    [Fact]
    public async Task RunRejectsBadOptions()
    {
        Write("a.yaml", Fixtures.ClassYaml);
        Assert.Equal(2, await CausewayCli.InvokeAsync(["run", _dir, "--address-pool", "nope"], Context(new FakeDataPlane())));
        Assert.Equal(2, await CausewayCli.InvokeAsync(["run", _dir, "--admin-address", "127.0.0.1:0"], Context(plane: null)));
    }
}
