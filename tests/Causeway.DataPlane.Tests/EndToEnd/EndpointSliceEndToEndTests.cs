using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Causeway.Echo;
using Xunit.Abstractions;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>
/// EndpointSlices as <c>causeway run</c> reads them from files, through real sockets: a headless Service without a
/// selector whose slices are written by hand (an IPv4 and an IPv6 slice, <c>::1</c>), endpoint conditions (ready,
/// not ready, serving while terminating), and slices rewritten while clients keep sending: no request fails for an
/// endpoint that stays, and an endpoint that leaves (removed, or no longer ready) gets no new request.
/// </summary>
[Collection(LatencyCollection.Name)]
public sealed class EndpointSliceEndToEndTests(ITestOutputHelper output)
{
    private const int Pool = 117;

    private static async Task<(EchoServer Server, ConcurrentQueue<string> Log, int Port)> EchoAsync(string address, string pod)
    {
        var log = new ConcurrentQueue<string>();
        var server = await EchoServer.StartAsync(new EchoOptions
        {
            BindAddress = IPAddress.Parse(address), HttpPort = 0, H2cPort = 0, HttpsPort = 0, PodName = pod, Log = log.Enqueue,
        });
        return (server, log, server.BoundPorts["http"]);
    }

    private static string Service(string name, bool headless) => $"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {name}
          namespace: test
        spec:
        {(headless ? "  clusterIP: None\n" : "")}  ports:
          - name: http
            port: 80
            protocol: TCP
        ---

        """;

    /// <summary>One EndpointSlice of Service <paramref name="service"/> with one port; endpoints as (address, conditions).</summary>
    private static string Slice(string name, string service, string addressType, int port, params (string Address, string Conditions)[] endpoints) => $"""
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: {name}
          namespace: test
          labels:
            kubernetes.io/service-name: {service}
            endpointslice.kubernetes.io/managed-by: test.example.com
        addressType: {addressType}
        ports:
        - name: http
          port: {port}
          protocol: TCP
        endpoints:
        {string.Concat(endpoints.Select(e => $"- addresses: [\"{e.Address}\"]\n  conditions: {e.Conditions}\n"))}
        ---

        """;

    private const string Ready = "{ready: true, serving: true, terminating: false}";
    private const string NotReady = "{ready: false, serving: false, terminating: false}";
    private const string Terminating = "{ready: false, serving: true, terminating: true}";
    private const string Gone = "{ready: false, serving: false, terminating: true}";

    /// <summary>The pods that answered <paramref name="count"/> GETs of <paramref name="url"/> (every answer must be 200).</summary>
    private static async Task<Dictionary<string, int>> PodsAsync(HttpClient client, string url, int count)
    {
        var pods = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var echo = await E2e.GetEchoAsync(client, url);
            var pod = echo["pod"]!.GetValue<string>();
            pods[pod] = pods.GetValueOrDefault(pod) + 1;
        }
        return pods;
    }

    [Fact]
    public async Task HeadlessSelectorlessDualStackService_ServesReadyEndpoints_ThenServingTerminatingOnes_Then503()
    {
        var a = await EchoAsync("127.63.117.1", "pod-a");
        var b = await EchoAsync("127.63.117.2", "pod-b");
        var c = await EchoAsync("127.63.117.3", "pod-c");
        var v6 = await EchoAsync("::1", "pod-v6");
        await using var _a = a.Server;
        await using var _b = b.Server;
        await using var _c = c.Server;
        await using var _v6 = v6.Server;

        // Each pod its own slice (a slice has one port list); the IPv6 slice is a slice of its own, as dual stack has it.
        string Slices(string aState, string bState, string cState, string v6State) =>
            Slice("web-a", "web", "IPv4", a.Port, ("127.63.117.1", aState))
            + Slice("web-b", "web", "IPv4", b.Port, ("127.63.117.2", bState))
            + Slice("web-c", "web", "IPv4", c.Port, ("127.63.117.3", cState))
            + Slice("web-v6", "web", "IPv6", v6.Port, ("::1", v6State));

        await using var run = await CausewayRun.StartAsync("", Pool, d =>
        {
            File.WriteAllText(Path.Combine(d, "base.yaml"), Manifests.GatewayClass + "---\n" + Manifests.Gateway() + "---\n"
                + Service("web", headless: true) + Manifests.Route("web", "web.example.com", ("web", 1)));
            File.WriteAllText(Path.Combine(d, "slices.yaml"), Slices(Ready, NotReady, Terminating, Ready));
        });
        using var client = E2e.Client(run.GatewayAddress);
        const string url = "http://web.example.com:8080/";
        await E2e.EventuallyAsync(async () => (await client.GetAsync(url)).StatusCode == HttpStatusCode.OK, E2e.Timeout, "the route");

        // Ready endpoints only, on both address families: the not-ready and the terminating pod get nothing.
        var pods = await PodsAsync(client, url, 40);
        output.WriteLine("ready: " + string.Join(", ", pods.Select(p => $"{p.Key}={p.Value}")));
        Assert.Equal(["pod-a", "pod-v6"], pods.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(b.Log);
        Assert.Empty(c.Log);

        // Nothing ready any more: the endpoint still serving while it terminates takes the traffic (as kube-proxy does).
        run.SaveLikeEditor("slices.yaml", Slices(NotReady, NotReady, Terminating, Gone));
        await E2e.EventuallyAsync(async () => (await E2e.GetEchoAsync(client, url))["pod"]!.GetValue<string>() == "pod-c", E2e.Timeout, "pod-c serving");
        pods = await PodsAsync(client, url, 20);
        Assert.Equal(["pod-c"], pods.Keys);

        // No endpoint serves: 503 from the gateway, not a connection error and not a stale pod.
        run.SaveLikeEditor("slices.yaml", Slices(NotReady, NotReady, Gone, Gone));
        await E2e.EventuallyAsync(async () => (await client.GetAsync(url)).StatusCode == HttpStatusCode.ServiceUnavailable, E2e.Timeout, "503 without endpoints");

        // And back: the IPv6 endpoint alone.
        run.SaveLikeEditor("slices.yaml", Slices(NotReady, NotReady, Gone, Ready));
        await E2e.EventuallyAsync(async () => (await client.GetAsync(url)).StatusCode == HttpStatusCode.OK, E2e.Timeout, "the IPv6 endpoint again");
        Assert.Equal(["pod-v6"], (await PodsAsync(client, url, 10)).Keys);
        Assert.Equal(0, await run.StopAsync());
    }

    [Fact]
    public async Task SlicesChangingUnderLoad_FailNoRequest_AndLeavingEndpointsGetNoNewRequests()
    {
        var pods = new List<(EchoServer Server, ConcurrentQueue<string> Log, int Port)>();
        for (var i = 1; i <= 3; i++) pods.Add(await EchoAsync($"127.63.117.{10 + i}", $"pod-{i}"));
        try
        {
            // One slice per pod (each pod has its own port); pod-3 is not there yet.
            string Slices(params (int Pod, string State)[] members) =>
                string.Concat(members.Select(m => Slice($"churn-{m.Pod}", "churn", "IPv4", pods[m.Pod - 1].Port, ($"127.63.117.{10 + m.Pod}", m.State))));
            await using var run = await CausewayRun.StartAsync("", Pool + 1, d =>
            {
                File.WriteAllText(Path.Combine(d, "base.yaml"), Manifests.GatewayClass + "---\n" + Manifests.Gateway() + "---\n"
                    + Service("churn", headless: false) + Manifests.Route("churn", "churn.example.com", ("churn", 1)));
                File.WriteAllText(Path.Combine(d, "slices.yaml"), Slices((1, Ready), (2, Ready)));
            });
            using var probe = E2e.Client(run.GatewayAddress);
            const string url = "http://churn.example.com:8080/";
            await E2e.EventuallyAsync(async () => (await probe.GetAsync(url)).StatusCode == HttpStatusCode.OK, E2e.Timeout, "the route");

            using var stop = new CancellationTokenSource();
            long ok = 0;
            var failures = new ConcurrentQueue<string>();
            var loops = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                using var client = E2e.Client(run.GatewayAddress);
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        using var r = await client.GetAsync(url);
                        var body = await r.Content.ReadAsStringAsync();
                        if (r.StatusCode == HttpStatusCode.OK) Interlocked.Increment(ref ok);
                        else failures.Enqueue($"{(int)r.StatusCode} {body[..Math.Min(200, body.Length)]}");
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        failures.Enqueue($"{e.GetType().Name} {e.Message} {e.InnerException?.Message}");
                    }
                }
            })).ToList();

            // The IR the gateway serves names exactly these endpoints (so the change has been applied).
            async Task AppliedAsync(params int[] members)
            {
                var want = members.Select(m => $"127.63.117.{10 + m}").Order(StringComparer.Ordinal).ToArray();
                await E2e.EventuallyAsync(async () => (await EndpointsAsync(run)).SequenceEqual(want), E2e.Timeout, "endpoints " + string.Join(",", want));
                await Task.Delay(200); // requests already on their way to a leaving endpoint finish there
            }

            async Task NoNewRequestsAsync(int pod, string why)
            {
                var before = pods[pod - 1].Log.Count;
                var okBefore = Interlocked.Read(ref ok);
                await Task.Delay(1500);
                Assert.True(Interlocked.Read(ref ok) > okBefore + 50, $"load kept flowing while checking {why}");
                Assert.True(pods[pod - 1].Log.Count == before, $"pod-{pod} got {pods[pod - 1].Log.Count - before} new requests after {why}");
            }

            await Task.Delay(500);
            run.SaveLikeEditor("slices.yaml", Slices((1, Ready), (2, Ready), (3, Ready)));   // scale out
            await AppliedAsync(1, 2, 3);
            await E2e.EventuallyAsync(() => Task.FromResult(!pods[2].Log.IsEmpty), E2e.Timeout, "pod-3 gets traffic");

            run.SaveLikeEditor("slices.yaml", Slices((1, Ready), (3, Ready)));               // pod-2's slice deleted
            await AppliedAsync(1, 3);
            await NoNewRequestsAsync(2, "its slice was removed");

            run.SaveLikeEditor("slices.yaml", Slices((1, Terminating), (3, Ready)));         // pod-1 shuts down
            await AppliedAsync(3);
            await NoNewRequestsAsync(1, "it started terminating");

            run.SaveLikeEditor("slices.yaml", Slices((1, Gone), (2, Ready), (3, Ready)));    // pod-2 back
            await AppliedAsync(2, 3);
            await E2e.EventuallyAsync(() => Task.FromResult(pods[1].Log.Count > 0), E2e.Timeout, "pod-2 back");
            await Task.Delay(500);

            await stop.CancelAsync();
            var all = Task.WhenAll(loops);
            Assert.Same(all, await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(20))));
            output.WriteLine($"{ok} ok, {failures.Count} failed; per pod: {string.Join(", ", pods.Select((p, i) => $"pod-{i + 1}={p.Log.Count}"))}");
            foreach (var f in failures.Take(10)) output.WriteLine("failure: " + f);
            Assert.Empty(failures);
            Assert.True(ok > 300, $"only {ok} requests completed");
            Assert.Equal(0, await run.StopAsync());
        }
        finally
        {
            foreach (var p in pods) await p.Server.DisposeAsync();
        }
    }

    /// <summary>The endpoint addresses of every backend in the running configuration (admin <c>/config_dump</c>).</summary>
    private static async Task<string[]> EndpointsAsync(CausewayRun run)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var dump = JsonNode.Parse(await client.GetStringAsync(new Uri(run.Admin, "config_dump")))!;
        var result = new List<string>();
        Collect(dump, result);
        return [.. result.Order(StringComparer.Ordinal)];

        static void Collect(JsonNode? node, List<string> into)
        {
            switch (node)
            {
                case JsonObject o:
                    if (o["endpoints"] is JsonArray eps)
                        foreach (var e in eps) if (e?["address"] is JsonValue v) into.Add(v.GetValue<string>());
                    foreach (var (k, v) in o) if (k != "endpoints") Collect(v, into);
                    break;
                case JsonArray a:
                    foreach (var x in a) Collect(x, into);
                    break;
            }
        }
    }
}
