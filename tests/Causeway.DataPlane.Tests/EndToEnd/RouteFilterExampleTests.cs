using System.Net;
using Causeway.Cli;
using Causeway.Model.Loading;
using Microsoft.Extensions.Logging.Abstractions;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>
/// examples/eg-policies/route-filters through <c>causeway run</c>: Envoy Gateway HTTPRouteFilter <c>urlRewrite</c>
/// (regex path, Host from a header and from the Backend's hostname) and <c>credentialInjection</c> (default header
/// kept when the client sends one; another header overwritten), as the echo backend and the client see them, on the
/// event loop and on the Kestrel pipeline; the filter naming a missing Secret answers 500 with the reason in the route's
/// status, and no credential shows in status, <c>/config_dump</c> or <c>causeway translate</c>.
/// </summary>
public sealed class RouteFilterExampleTests
{
    private const string Credential1 = "Basic dXNlcjE6dGVzdDE=";
    private const string Credential2 = "Basic dXNlcjE6dGVzdDI=";

    [Fact]
    public Task RouteFiltersOnTheEventLoop() => RunAsync(173, new DataPlaneOptions());

    [Fact]
    public Task RouteFiltersOnTheKestrelPipeline() => RunAsync(174, new DataPlaneOptions { Http1FastPath = false, Http1EventLoop = false });

    private static async Task RunAsync(int pool, DataPlaneOptions options)
    {
        var address = $"127.61.{pool}.1";
        var (echo, _) = await E2e.StartHttpEchoAsync(address, "echo-pod");
        await using var _e = echo;
        await using var run = await CausewayRun.StartAsync("eg-policies/route-filters", pool, d =>
        {
            E2e.RetargetSlice(d, "backends.yaml", "nginx-local", address);
            var filters = Path.Combine(d, "filters.yaml");
            File.WriteAllText(filters, File.ReadAllText(filters).Replace("address: 127.0.0.1,", $"address: {address},", StringComparison.Ordinal));
        }, options);
        using var client = E2e.Client(run.GatewayAddress);
        const string Base = "http://filters.example:8080";

        var regex = await E2e.GetEchoAsync(client, Base + "/service/foo/v1/api?q=1");
        Assert.Equal("/v1/api/instance/foo?q=1", (string?)regex["path"]);
        Assert.Equal("filters.example:8080", (string?)regex["host"]);

        var byHeader = await E2e.GetEchoAsync(client, Base + "/host-header/x", ("x-target", "a.internal"));
        Assert.Equal("a.internal", (string?)byHeader["host"]);
        Assert.Equal(["filters.example:8080"], E2e.EchoHeader(byHeader, "x-forwarded-host"));
        // Without the header, the client's Host goes on.
        Assert.Equal("filters.example:8080", (string?)(await E2e.GetEchoAsync(client, Base + "/host-header/x"))["host"]);

        var byBackend = await E2e.GetEchoAsync(client, Base + "/host-backend");
        Assert.Equal("echo.internal", (string?)byBackend["host"]);

        var injected = await E2e.GetEchoAsync(client, Base + "/cred");
        Assert.Equal([Credential1], E2e.EchoHeader(injected, "authorization"));
        var kept = await E2e.GetEchoAsync(client, Base + "/cred", ("Authorization", "Bearer mine"));
        Assert.Equal(["Bearer mine"], E2e.EchoHeader(kept, "authorization"));
        var overwritten = await E2e.GetEchoAsync(client, Base + "/cred-overwrite", ("x-credential", "client-value"));
        Assert.Equal([Credential2], E2e.EchoHeader(overwritten, "x-credential"));
        Assert.Empty(E2e.EchoHeader(overwritten, "authorization"));

        using (var broken = await client.GetAsync(Base + "/broken"))
            Assert.Equal(HttpStatusCode.InternalServerError, broken.StatusCode);
        var status = (await run.StatusAsync()).ToJsonString();
        Assert.True(status.Contains("HTTPRouteFilter test/no-secret: spec.credentialInjection.credential.valueRef: Secret test/absent not found", StringComparison.Ordinal), status);

        using var dump = await new HttpClient().GetAsync(new Uri(run.Admin, "/config_dump"));
        var config = await dump.Content.ReadAsStringAsync();
        Assert.Contains("x-credential", config, StringComparison.Ordinal);
        Assert.Contains("redacted sha256:", config, StringComparison.Ordinal);
        var translate = new StringWriter();
        Assert.Equal(0, await CausewayCli.InvokeAsync(["translate", run.Dir, "-o", "ir"], new CliContext
        {
            Out = translate,
            Err = new StringWriter(),
            DataPlaneFactory = (_, _, _, _) => null,
            LoggerFactory = NullLoggerFactory.Instance,
            Validator = CrdObjectValidator.Default,
        }));
        foreach (var text in new[] { status, config, translate.ToString(), run.Output })
        {
            Assert.DoesNotContain("dXNlcjE6dGVzdD", text, StringComparison.Ordinal);
            Assert.DoesNotContain("QmFzaWMgZFhObGNqRTZkR1Z6ZER", text, StringComparison.Ordinal);
        }
        Assert.Contains("redacted sha256:", translate.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await run.StopAsync());
    }
}
