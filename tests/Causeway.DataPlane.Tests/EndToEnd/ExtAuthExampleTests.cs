using System.Net;
using System.Text.Json.Nodes;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>
/// examples/eg-policies/ext-auth through <c>causeway run</c>: the echo server stands in for the HTTP authorization
/// service; a check that allows hands the service's x-current-user header to the backend, one that denies answers
/// the client with the service's status, and a route without the policy is not checked.
/// </summary>
public sealed class ExtAuthExampleTests
{
    [Fact]
    public async Task ExtAuthExampleChecksEveryRequestAsWritten()
    {
        var (echo, log) = await E2e.StartHttpEchoAsync("127.61.81.1", "echo-pod");
        await using var _e = echo;
        await using var run = await CausewayRun.StartAsync("eg-policies/ext-auth", 81, d =>
        {
            E2e.RetargetSlice(d, "backends.yaml", "backend-local", "127.61.81.1");
            E2e.RetargetSlice(d, "backends.yaml", "http-ext-auth-local", "127.61.81.1");
        });
        using var client = E2e.Client(run.GatewayAddress);

        async Task<(HttpStatusCode Status, string Body)> Get(string path, params (string, string)[] headers)
        {
            var req = new HttpRequestMessage(HttpMethod.Get, "http://www.example.com:8080" + path);
            foreach (var (n, v) in headers) req.Headers.TryAddWithoutValidation(n, v);
            using var r = await client.SendAsync(req);
            return (r.StatusCode, await r.Content.ReadAsStringAsync());
        }

        var allowed = await Get("/myapp/x", ("X-Echo-Set-Header", "x-current-user:alice"));
        Assert.Equal(HttpStatusCode.OK, allowed.Status);
        var echoed = JsonNode.Parse(allowed.Body)!;
        Assert.Equal("/myapp/x", echoed["path"]!.GetValue<string>());
        Assert.Equal(["alice"], E2e.EchoHeader(echoed, "X-Current-User")); // set by the check's answer
        Assert.Contains(log, line => line.Contains("/auth/myapp/x", StringComparison.Ordinal)); // the check, at path + the request's path

        var locked = await Get("/locked");
        Assert.Equal(HttpStatusCode.Unauthorized, locked.Status);
        var checks = log.Count;
        Assert.Equal(HttpStatusCode.OK, (await Get("/open")).Status);
        Assert.Equal(checks + 1, log.Count); // the backend only: no check

        var status = (await run.StatusAsync()).ToJsonString();
        Assert.Contains("ext-auth-example", status, StringComparison.Ordinal);
        Assert.DoesNotContain("not supported", status, StringComparison.Ordinal);
        Assert.Equal(0, await run.StopAsync());
    }
}
