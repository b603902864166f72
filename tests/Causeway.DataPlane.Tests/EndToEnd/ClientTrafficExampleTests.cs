using System.Net;
using System.Text.Json.Nodes;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>
/// examples/eg-policies/client-traffic through <c>causeway run</c>, as a client sees it: the listener's early request
/// edits reach the backend (x-gateway set, x-debug removed) with the underscore header dropped and a request ID; its
/// late response edits are on every answer, the backend's and the gateway's own (the health check, a 429 of the rate
/// limit keyed by the detected client), on the event loop and on the Kestrel pipeline.
/// </summary>
public sealed class ClientTrafficExampleTests
{
    [Fact]
    public Task ClientTrafficExampleOnTheEventLoop() => RunAsync(43, new DataPlaneOptions());

    [Fact]
    public Task ClientTrafficExampleOnTheKestrelPipeline() => RunAsync(44, new DataPlaneOptions { Http1FastPath = false, Http1EventLoop = false });

    private static async Task RunAsync(int pool, DataPlaneOptions options)
    {
        var address = $"127.61.{pool}.1";
        var (echo, _) = await E2e.StartHttpEchoAsync(address, "echo-pod");
        await using var _e = echo;
        await using var run = await CausewayRun.StartAsync("eg-policies/client-traffic", pool, d => E2e.RetargetSlice(d, "backends.yaml", "nginx-local", address), options);
        using var client = E2e.Client(run.GatewayAddress);
        const string Base = "http://client.example:8080";

        static void Late(HttpResponseMessage r)
        {
            Assert.Equal(["causeway"], r.Headers.GetValues("x-served-by"));
            Assert.Equal(["DENY"], r.Headers.GetValues("x-frame-options"));
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, Base + "/hello"))
        {
            request.Headers.TryAddWithoutValidation("x-debug", "1");
            request.Headers.TryAddWithoutValidation("x_user", "a");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Late(response);
            var echoed = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal(["causeway"], E2e.EchoHeader(echoed, "x-gateway"));
            Assert.Empty(E2e.EchoHeader(echoed, "x-debug"));
            Assert.Empty(E2e.EchoHeader(echoed, "x_user"));
            Assert.Single(E2e.EchoHeader(echoed, "x-request-id"));
        }
        using (var ready = await client.GetAsync(Base + "/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Late(ready);
        }
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Base + "/limited");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.10");
            using var response = await client.SendAsync(request);
            statuses.Add(response.StatusCode);
            Late(response);
        }
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        var (exit, output, _) = await run.StatusCommandAsync("-A");
        Assert.Equal(0, exit);
        Assert.Matches(@"(?m)^test\s+client-traffic\s+ClientTrafficPolicy\s+Gateway test/test-gw\s+True\s", output);
        Assert.Equal(0, await run.StopAsync());
    }
}
