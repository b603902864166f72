using System.Text.Json.Nodes;
using Causeway.Cli;
using Causeway.Kubernetes.Api;
using Causeway.Testing.KubeApi;
using Causeway.Model.Loading;

namespace Causeway.Kubernetes.Tests.Wiring;

/// <summary><c>causeway install</c> and <c>causeway controller</c> through the command line.</summary>
public sealed class CliCommandTests
{
    private static (CliContext Context, StringWriter Out, StringWriter Err) Context()
    {
        var o = new StringWriter();
        var e = new StringWriter();
        return (new CliContext { Out = TextWriter.Synchronized(o), Err = TextWriter.Synchronized(e) }, o, e);
    }

    [Fact]
    public async Task Install_PrintsTheBundle_InTheGivenNamespace()
    {
        var (context, output, _) = Context();
        Assert.Equal(0, await CausewayCli.InvokeAsync(["install", "--namespace", "gw-system", "--gateway-api-crds", "none"], context));
        var docs = YamlJson.ReadDocuments(output.ToString()).Select(d => d.Root).OfType<JsonObject>().ToList();
        var kinds = docs.Select(d => d["kind"]!.GetValue<string>()).ToList();
        Assert.Contains("Deployment", kinds);
        Assert.Contains("ClusterRole", kinds);
        Assert.DoesNotContain("CustomResourceDefinition", kinds.Where((_, i) => docs[i]["metadata"]!["name"]!.GetValue<string>().EndsWith("gateway.networking.k8s.io", StringComparison.Ordinal)));
        Assert.Equal("gw-system", docs.Single(d => d["kind"]!.GetValue<string>() == "Deployment")["metadata"]!["namespace"]!.GetValue<string>());

        var (withCrds, crdOut, _) = Context();
        Assert.Equal(0, await CausewayCli.InvokeAsync(["install"], withCrds));
        Assert.Contains("name: gateways.gateway.networking.k8s.io", crdOut.ToString(), StringComparison.Ordinal);

        var (bad, _, _) = Context();
        Assert.NotEqual(0, await CausewayCli.InvokeAsync(["install", "--gateway-api-crds", "beta"], bad));
    }

    private static async Task<string> KubeconfigAsync(string url)
    {
        var kubeconfig = Path.Combine(Directory.CreateTempSubdirectory("causeway-kube-").FullName, "config");
        await File.WriteAllTextAsync(kubeconfig, $$$"""
            apiVersion: v1
            kind: Config
            clusters: [{name: fake, cluster: {server: "{{{url}}}"}}]
            users: [{name: fake, user: {token: test}}]
            contexts: [{name: fake, context: {cluster: fake, user: fake}}]
            current-context: fake
            """);
        return kubeconfig;
    }

    private static Task<int> StartController(string kubeconfig, int port, string identity, CliContext context, CancellationToken ct) =>
        CausewayCli.InvokeAsync(["controller", "--kubeconfig", kubeconfig, "--namespace", "causeway-system", "--admin-address", "127.0.0.1:0",
            "--distribution-address", $"127.0.0.1:{port}", "--controller-address", $"https://127.0.0.1:{port}", "--identity", identity, "--metrics-address", "off"], context, ct: ct);

    private static bool Accepts(int port)
    {
        try
        {
            using var c = new System.Net.Sockets.TcpClient();
            return c.ConnectAsync(System.Net.IPAddress.Loopback, port).Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException) { return false; }
    }

    [Fact]
    public async Task TwoControllerCommands_OnlyTheLeaderServesProxies_AndTheFollowerTakesOver()
    {
        await using var w = await KubeWorld.StartAsync(startController: false);
        var kubeconfig = await KubeconfigAsync(w.H.Server.Url);
        int portA = TestBackends.FreePort(), portB = TestBackends.FreePort();
        var (ctxA, _, errA) = Context();
        var (ctxB, _, errB) = Context();
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();
        var runA = StartController(kubeconfig, portA, "replica-a", ctxA, stopA.Token);
        Task<int>? runB = null;
        try
        {
            await Harness.WaitAsync(() => Accepts(portA), "the first replica leads and serves proxies", 30);
            runB = StartController(kubeconfig, portB, "replica-b", ctxB, stopB.Token);
            await Harness.WaitAsync(() => w.H.Server.Get(ResourceType.Secrets, "test", "causeway-gw-proxy") is not null, "credentials issued");
            await Task.Delay(1500);
            Assert.False(Accepts(portB), "the follower must not serve proxies: " + errB);
            Assert.False(runB.IsCompleted, errB.ToString());

            // A proxy dialling the follower gets nothing; the Gateway does not become Programmed through it.
            await w.AssignLoadBalancerAsync();
            var creds = await w.MountCredentialsAsync();
            await using var proxy = await ProxyProcess.StartAsync(KubeWorld.GatewayKey, $"https://127.0.0.1:{portB}", creds);
            await Harness.WaitAsync(() => w.ProgrammedReason == "Pending", "Pending while no proxy reached the leader", 15);

            // The leader stops (releasing the Lease): the follower takes over, serves, and the proxy's ACK programs the Gateway.
            await stopA.CancelAsync();
            Assert.Equal(0, await runA.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.False(Accepts(portA));
            await Harness.WaitAsync(() => w.Programmed == "True", "Programmed=True once the proxy ACKs the new leader", 45);
            Assert.Equal("backend-1 /hello", await w.TryGetAsync());
        }
        finally
        {
            await stopA.CancelAsync();
            await stopB.CancelAsync();
            await runA.WaitAsync(TimeSpan.FromSeconds(30));
            if (runB is not null) await runB.WaitAsync(TimeSpan.FromSeconds(30));
            File.Delete(kubeconfig);
        }
        Assert.DoesNotContain(errA.ToString().Split('\n'), l => l.StartsWith("error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ControllerCommand_WithRbacEnforced_PersistsCa_FeedsARealProxy()
    {
        await using var w = await KubeWorld.StartAsync(startController: false);
        w.H.Server.Rbac = RbacPolicy.FromInstallBundle();
        var kubeconfig = await KubeconfigAsync(w.H.Server.Url);
        var port = TestBackends.FreePort();
        var controllerUrl = $"https://127.0.0.1:{port}";
        var (context, output, errors) = Context();
        using var stop = new CancellationTokenSource();
        var run = CausewayCli.InvokeAsync(["controller", "--kubeconfig", kubeconfig, "--namespace", "causeway-system", "--admin-address", "127.0.0.1:0",
            "--distribution-address", $"127.0.0.1:{port}", "--controller-address", controllerUrl, "--identity", "cli-controller", "--metrics-address", "127.0.0.1:0"], context, ct: stop.Token);
        try
        {
            await Harness.WaitAsync(() => output.ToString().Contains("health endpoint on ", StringComparison.Ordinal) || run.IsCompleted,
                "the controller command starts", 60, () => $"{output}\n{errors}");
            Assert.False(run.IsCompleted, errors.ToString());
            var line = output.ToString().Split('\n').First(l => l.StartsWith("controller:", StringComparison.Ordinal) && l.Contains("health endpoint on ", StringComparison.Ordinal));
            var health = new Uri(line[(line.IndexOf("health endpoint on ", StringComparison.Ordinal) + "health endpoint on ".Length)..].Trim());
            // Generous probe timeouts: CI runs every test project at once on two cores.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            Assert.Equal("ok\n", await http.GetStringAsync(new Uri(health, "/healthz")));
            await Harness.WaitAsync(() => http.GetAsync(new Uri(health, "/readyz")).Result.IsSuccessStatusCode, "controller /readyz", 30, () => errors.ToString());
            Assert.NotNull(w.H.Server.Get(ResourceType.Secrets, "causeway-system", DistributionCaStore.SecretName));

            await w.AssignLoadBalancerAsync();
            var creds = await w.MountCredentialsAsync();
            await using var proxy = await ProxyProcess.StartAsync(KubeWorld.GatewayKey, controllerUrl, creds);
            await Harness.WaitAsync(() => w.Programmed == "True", "Gateway Programmed=True after the proxy ACK", 60,
                () => $"controller:\n{output}\n{errors}\nproxy:\n{proxy.Output}");
            Assert.Equal("backend-1 /hello", await w.TryGetAsync());
            Assert.Empty(w.H.Server.Denied);

            // Kubernetes mode metrics: the controller counts the proxy, the push and its ACK, its status writes and
            // reconciles; the proxy serves the data plane's series for the request above, its applied version, process.
            var metricsLine = output.ToString().Split('\n').First(l => l.StartsWith("controller: metrics on ", StringComparison.Ordinal));
            var controllerMetrics = new Uri(metricsLine["controller: metrics on ".Length..].Trim());
            await Harness.WaitAsync(() => Sample(http.GetStringAsync(controllerMetrics).Result, "causeway_config_push_answers_total{result=\"ack\"}") >= 1,
                "the controller counts the proxy's ACK", 30, () => errors.ToString());
            var scrape = await http.GetStringAsync(controllerMetrics);
            Assert.Equal(1, Sample(scrape, "causeway_proxies_connected"));
            Assert.True(Sample(scrape, "causeway_config_pushes_total") >= 1, scrape);
            Assert.Equal(0, Sample(scrape, "causeway_config_push_answers_total{result=\"nack\"}"));
            Assert.True(Sample(scrape, "causeway_status_writes_total{result=\"success\"}") >= 1, scrape);
            Assert.True(Sample(scrape, "causeway_config_reloads_total{result=\"success\"}") >= 1, scrape);
            Assert.True(Sample(scrape, "causeway_config_generation") >= 1, scrape);
            Assert.True(Sample(scrape, "causeway_translate_duration_seconds_count") >= 1, scrape);
            Assert.True(Sample(scrape, "process_resident_memory_bytes") > 0, scrape);

            Assert.NotNull(proxy.MetricsAddress);
            var proxyScrape = await http.GetStringAsync(proxy.MetricsAddress);
            var served = proxyScrape.Split('\n').Where(l => l.StartsWith("causeway_http_requests_total{", StringComparison.Ordinal)
                && l.Contains("route=\"httproute/test/web\"", StringComparison.Ordinal) && l.Contains("code=\"200\"", StringComparison.Ordinal)).ToList();
            Assert.True(served.Count == 1, proxyScrape);
            Assert.True(double.Parse(served[0][(served[0].LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture) >= 1, proxyScrape);
            Assert.True(Sample(proxyScrape, "causeway_config_reloads_total{result=\"success\"}") >= 1, proxyScrape);
            Assert.True(Sample(proxyScrape, "process_resident_memory_bytes") > 0, proxyScrape);
        }
        finally
        {
            await stop.CancelAsync();
            Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(30)));
            File.Delete(kubeconfig);
        }
    }

    /// <summary>The value of the one sample named exactly <paramref name="series"/> (name and labels as exposed); -1 when absent.</summary>
    private static double Sample(string scrape, string series)
    {
        foreach (var line in scrape.Split('\n'))
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
                return double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return -1;
    }
}
