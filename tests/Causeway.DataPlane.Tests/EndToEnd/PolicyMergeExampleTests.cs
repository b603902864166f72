using System.Net;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>
/// examples/eg-policies/policy-merge (Envoy Gateway's e2e backendtrafficpolicy-section-merged.yaml, adapted) through
/// <c>causeway run</c>, on the event loop and on the Kestrel pipeline: a route policy with <c>mergeType</c> merged
/// onto its listener's policy (its abort answered through the listener policy's response override), a rule policy
/// without it winning whole, a route policy with nothing to merge with; and the Merged condition in the status.
/// </summary>
public sealed class PolicyMergeExampleTests
{
    [Fact]
    public Task MergedPoliciesOnTheEventLoop() => RunAsync(175, new DataPlaneOptions());

    [Fact]
    public Task MergedPoliciesOnTheKestrelPipeline() => RunAsync(176, new DataPlaneOptions { Http1FastPath = false, Http1EventLoop = false });

    private static async Task RunAsync(int pool, DataPlaneOptions options)
    {
        var address = $"127.61.{pool}.1";
        var (echo, _) = await E2e.StartHttpEchoAsync(address, "echo-pod");
        await using var _e = echo;
        await using var run = await CausewayRun.StartAsync("eg-policies/policy-merge", pool, d => E2e.RetargetSlice(d, "backends.yaml", "nginx-local", address), options);
        using var client = E2e.Client(run.GatewayAddress);

        async Task<HttpStatusCode> Get(string host, string path)
        {
            using var r = await client.GetAsync($"http://{host}:8080{path}");
            return r.StatusCode;
        }

        Assert.Equal(HttpStatusCode.InternalServerError, await Get("listener1.merged.example.com", "/foo"));
        Assert.Equal((HttpStatusCode)419, await Get("listener1.merged.example.com", "/bar"));
        Assert.Equal((HttpStatusCode)420, await Get("listener2.merged.example.com", "/foo"));

        var (exit, output, _) = await run.StatusCommandAsync("-A");
        Assert.Equal(0, exit);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(output, @"(?m)^test\s+btp-section-route\s+BackendTrafficPolicy\s.*\sTrue\s"), output);
        var status = (await run.StatusAsync()).ToJsonString();
        Assert.Contains("Merged with policy test/btp-section-gateway", status, StringComparison.Ordinal);
        Assert.Equal(0, await run.StopAsync());
    }
}
