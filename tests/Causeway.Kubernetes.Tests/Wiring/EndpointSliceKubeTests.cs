using System.Collections.Concurrent;
using System.Net;
using Causeway.Cli.Cluster;
using Causeway.Distribution.Security;
using Causeway.Kubernetes.Api;
using Microsoft.Extensions.Logging.Abstractions;

namespace Causeway.Kubernetes.Tests.Wiring;

/// <summary>
/// Kubernetes mode, EndpointSlices from the API server to a proxy's sockets: a headless Service without a selector
/// whose slices are managed by hand (IPv4 and IPv6, <c>::1</c>), endpoint conditions, and slices that change while
/// clients keep sending (the EndpointSlice fast path): no request fails for an endpoint that stays, and an endpoint
/// that is removed or stops being ready gets no new request once the proxy has applied the change.
/// </summary>
public sealed class EndpointSliceKubeTests
{
    private const string Ready = "{ready: true, serving: true, terminating: false}";
    private const string NotReady = "{ready: false, serving: false, terminating: false}";
    private const string Terminating = "{ready: false, serving: true, terminating: true}";

    private static string Slice(string name, string addressType, string address, int port, string conditions) => $$"""
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: {{name}}
          namespace: test
          labels: {kubernetes.io/service-name: web, endpointslice.kubernetes.io/managed-by: test.example.com}
        addressType: {{addressType}}
        ports: [{name: p, port: {{port}}, protocol: TCP}]
        endpoints:
        - addresses: ["{{address}}"]
          conditions: {{conditions}}
        """;

    [Fact]
    public async Task HandManagedHeadlessDualStackSlices_ServeReadyEndpoints_AndChangeUnderLoadWithoutFailures()
    {
        await using var w = await KubeWorld.StartAsync();
        var port3 = await w.Backends.StartHttpAsync("backend-3");
        var portV6 = await w.Backends.StartHttpAsync("backend-v6", IPAddress.IPv6Loopback);
        await w.AssignLoadBalancerAsync();
        var creds = await IssuedCredentials.LoadFromDirectoryAsync(await w.MountCredentialsAsync(), CancellationToken.None);
        await using var host = new ProxyHost(new Uri(w.ControllerUrl), creds, KubeWorld.GatewayKey, "in-process", NullLoggerFactory.Instance,
            maxBackoff: TimeSpan.FromSeconds(1));
        host.Start();
        await Harness.WaitAsync(() => w.Programmed == "True", "Programmed=True after the proxy ACK", 20);
        await Harness.WaitAsync(() => w.TryGetAsync().Result == "backend-1 /hello", "the seed route served", 20);

        // Service web becomes headless and selector-less; its slices are ours: one per pod, and an IPv6 one.
        w.H.Server.ApplyManifest("""
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: test}
            spec:
              clusterIP: None
              ports: [{name: p, port: 8080, protocol: TCP}]
            """);
        w.H.Server.Delete(ResourceType.EndpointSlices, "test", "web-1");
        void Slices(string s1, string s2, string s3, string v6)
        {
            w.H.Server.ApplyManifest(Slice("web-pod1", "IPv4", "127.0.0.1", w.Backend1, s1));
            w.H.Server.ApplyManifest(Slice("web-pod2", "IPv4", "127.0.0.1", w.Backend2, s2));
            w.H.Server.ApplyManifest(Slice("web-pod3", "IPv4", "127.0.0.1", port3, s3));
            w.H.Server.ApplyManifest(Slice("web-v6", "IPv6", "::1", portV6, v6));
        }
        Slices(Ready, NotReady, Terminating, Ready);

        // The proxy's configuration names exactly these endpoints (so the change has been applied there).
        string[] Endpoints() => host.Client.Current?.Backends.Where(b => b.Id == "test/web:8080")
            .SelectMany(b => b.Endpoints).Select(e => $"{e.Address}:{e.Port}").Order(StringComparer.Ordinal).ToArray() ?? [];
        async Task AppliedAsync(params string[] want)
        {
            var sorted = want.Order(StringComparer.Ordinal).ToArray();
            await Harness.WaitAsync(() => Endpoints().SequenceEqual(sorted), $"the proxy serves endpoints {string.Join(", ", sorted)} (has {string.Join(", ", Endpoints())})", 20);
            await Task.Delay(200); // requests already on their way to a leaving endpoint finish there
        }
        var b1 = $"127.0.0.1:{w.Backend1}";
        var b2 = $"127.0.0.1:{w.Backend2}";
        var b3 = $"127.0.0.1:{port3}";
        var bv6 = $"::1:{portV6}";
        await AppliedAsync(b1, bv6);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 30; i++) seen.Add(await w.TryGetAsync() ?? "failed");
        Assert.Equal(["backend-1 /hello", "backend-v6 /hello"], seen.Order(StringComparer.Ordinal));

        // Load: 6 loops, each with its own connections; every answer counted by the backend that gave it.
        var answers = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var failures = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var loops = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var r = await http.GetAsync($"http://127.0.0.1:{w.HttpPort}/load");
                    var body = await r.Content.ReadAsStringAsync();
                    if (r.StatusCode == HttpStatusCode.OK) answers.AddOrUpdate(body.Split(' ')[0], 1, (_, n) => n + 1);
                    else failures.Enqueue($"{(int)r.StatusCode} {body}");
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    failures.Enqueue($"{e.GetType().Name} {e.Message}");
                }
            }
        })).ToList();
        long Count(string backend) => answers.GetValueOrDefault(backend);
        async Task NoNewAnswersAsync(string backend, string why)
        {
            var before = Count(backend);
            var total = answers.Values.Sum();
            await Task.Delay(1500);
            Assert.True(answers.Values.Sum() > total + 30, $"load kept flowing while checking {why}");
            Assert.True(Count(backend) == before, $"{backend} answered {Count(backend) - before} new requests after {why}");
        }

        await Task.Delay(300);
        Slices(Ready, Ready, Terminating, Ready);                       // pod 2 becomes ready
        await AppliedAsync(b1, b2, bv6);
        await Harness.WaitAsync(() => Count("backend-2") > 0, "backend-2 gets traffic");

        w.H.Server.Delete(ResourceType.EndpointSlices, "test", "web-pod1"); // pod 1's slice goes away
        await AppliedAsync(b2, bv6);
        await NoNewAnswersAsync("backend-1", "its slice was deleted");

        Slices(NotReady, Terminating, Terminating, Ready);              // pod 2 terminates; v6 stays ready
        await AppliedAsync(bv6);
        await NoNewAnswersAsync("backend-2", "it started terminating");

        Slices(NotReady, NotReady, Terminating, NotReady);              // nothing ready: the serving terminating pod 3 answers
        await AppliedAsync(b3);
        await Harness.WaitAsync(() => Count("backend-3") > 0, "backend-3 (serving, terminating) gets traffic when nothing is ready");
        await NoNewAnswersAsync("backend-v6", "it stopped being ready");

        await stop.CancelAsync();
        var all = Task.WhenAll(loops);
        Assert.Same(all, await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(20))));
        Assert.True(failures.IsEmpty, $"{failures.Count} failed requests, e.g. {string.Join(" | ", failures.Take(5))}");
        Assert.True(answers.Values.Sum() > 200, $"only {answers.Values.Sum()} requests completed");
    }
}
