using System.Text.Json.Nodes;
using Causeway.Cli.Cluster;
using Causeway.Distribution.Client;
using Causeway.Distribution.Security;
using Causeway.Kubernetes.Api;
using Microsoft.Extensions.Logging.Abstractions;

namespace Causeway.Kubernetes.Tests.Wiring;

/// <summary>The controller feeding real proxies: configuration, ACK-gated Programmed, updates, restarts, identities.</summary>
public sealed class ProxyDistributionTests
{
    [Fact]
    public async Task RealProxyProcess_ServesHttpAndTcp_FollowsRouteUpdate_SurvivesControllerRestart()
    {
        await using var w = await KubeWorld.StartAsync();
        await w.AssignLoadBalancerAsync();
        // An address, but no proxy has applied the configuration yet: Pending.
        await Harness.WaitAsync(() => w.ProgrammedReason == "Pending", "Gateway Programmed=False/Pending before any proxy ACK");
        Assert.Equal("False", w.Programmed);

        // The Deployment mounts the Secret the controller issued and points the proxy at the controller.
        var dep = w.H.Server.Get(ResourceType.Deployments, "test", "causeway-gw")!;
        var podSpec = dep["spec"]!["template"]!["spec"]!;
        Assert.Equal("causeway-gw-proxy", podSpec["volumes"]![0]!["secret"]!["secretName"]!.GetValue<string>());
        var args = ((JsonArray)podSpec["containers"]![0]!["args"]!).Select(a => a!.GetValue<string>()).ToList();
        Assert.Equal(["proxy", "--gateway", "test/gw", "--controller", w.ControllerUrl, "--credentials", "/etc/causeway/credentials", "--health-address", "0.0.0.0:19003",
                "--metrics-address", "0.0.0.0:19001"], args);

        var creds = await w.MountCredentialsAsync();
        await using var proxy = await ProxyProcess.StartAsync(KubeWorld.GatewayKey, w.ControllerUrl, creds);
        await Harness.WaitAsync(() => w.Programmed == "True", "Gateway Programmed=True after the proxy ACK", 30);
        Assert.True(w.Server!.AckedVersion(KubeWorld.GatewayKey) >= w.Server.PublishedVersion(KubeWorld.GatewayKey));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        Assert.Equal("ready\n", await http.GetStringAsync(new Uri(proxy.HealthAddress!, "/readyz")));
        Assert.Equal("backend-1 /hello", await w.TryGetAsync());
        Assert.Equal("tcp:ping", await TestBackends.TcpRoundTripAsync(w.TcpPort, "ping"));

        // An HTTPRoute update reaches the proxy.
        w.H.Server.ApplyManifest(w.Manifest("web2"));
        await Harness.WaitAsync(() => w.TryGetAsync().Result == "backend-2 /hello", "route update served by the proxy", 20);

        // Controller down: traffic keeps flowing; controller back (same CA, same address): the proxy reconnects and ACKs.
        await w.StopControllerAsync();
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("backend-2 /hello", await w.TryGetAsync());
            Assert.Equal("tcp:x" + i, await TestBackends.TcpRoundTripAsync(w.TcpPort, "x" + i));
            await Task.Delay(200);
        }
        await w.StartControllerAsync();
        await Harness.WaitAsync(() => w.Server!.AckedVersion(KubeWorld.GatewayKey) is >= 1, "proxy ACKs the restarted controller's version", 30);
        Assert.Equal("backend-2 /hello", await w.TryGetAsync());
        await Harness.WaitAsync(() => w.Programmed == "True", "Gateway stays/becomes Programmed=True after the restart", 15);
        Assert.False(proxy.HasExited, proxy.Output);
    }

    [Fact]
    public async Task InProcessProxy_ProgrammedOnlyAfterAck_AndNackOnUnbindablePort()
    {
        await using var w = await KubeWorld.StartAsync();
        await w.AssignLoadBalancerAsync();
        await Harness.WaitAsync(() => w.ProgrammedReason == "Pending", "Programmed=False/Pending");
        var creds = await IssuedCredentials.LoadFromDirectoryAsync(await w.MountCredentialsAsync(), CancellationToken.None);

        await using var host = new ProxyHost(new Uri(w.ControllerUrl), creds, KubeWorld.GatewayKey, "in-process", NullLoggerFactory.Instance,
            maxBackoff: TimeSpan.FromSeconds(1));
        Assert.False(host.Ready);
        host.Start();
        await Harness.WaitAsync(() => w.Programmed == "True", "Programmed=True after the ACK", 20);
        Assert.True(host.Ready);
        Assert.Contains("203.0.113.9", host.Client.Current!.Addresses); // the IR names the LB address...
        Assert.Equal("backend-1 /hello", await w.TryGetAsync()); // ...but served on 0.0.0.0, not on 203.0.113.9

        // A new listener on a port something else holds: the proxy NACKs, the Gateway goes back to Pending, old config serves.
        using var blocker = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Any, 0);
        blocker.Start();
        var busy = ((System.Net.IPEndPoint)blocker.LocalEndpoint).Port;
        var gw = w.H.Server.Get(ResourceType.Gateways, "test", "gw")!;
        ((JsonArray)gw["spec"]!["listeners"]!).Add(new JsonObject { ["name"] = "busy", ["protocol"] = "HTTP", ["port"] = busy });
        w.H.Server.Upsert(gw);
        await Harness.WaitAsync(() => host.Client.LastError?.Contains("rejected", StringComparison.Ordinal) == true, "the proxy NACKs the unbindable version", 20);
        await Harness.WaitAsync(() => w.ProgrammedReason == "Pending", "Programmed=False/Pending after the NACK", 10);
        Assert.Equal("backend-1 /hello", await w.TryGetAsync());
    }

    [Fact]
    public async Task ProxyPresentingAnotherGatewaysCredentials_IsRefused()
    {
        await using var w = await KubeWorld.StartAsync();
        await Harness.WaitAsync(() => w.Server!.PublishedVersion(KubeWorld.GatewayKey) is not null, "test/gw published");
        var applied = 0;
        await using var client = new ProxyClient(new ProxyClientOptions
        {
            ControllerAddress = new Uri(w.ControllerUrl),
            Credentials = w.Ca.IssueProxyCertificate("test", "other"),
            GatewayKey = KubeWorld.GatewayKey,
            Apply = (_, _) => { Interlocked.Increment(ref applied); return Task.CompletedTask; },
            InitialBackoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = TimeSpan.FromMilliseconds(500),
        });
        client.Start();
        await Harness.WaitAsync(() => client.LastError?.Contains("controller refused this proxy", StringComparison.Ordinal) == true, "refusal of another Gateway's identity");
        Assert.Contains("test/other", client.LastError, StringComparison.Ordinal);
        Assert.Empty(w.Server!.Proxies(KubeWorld.GatewayKey));
        Assert.Equal(0, Volatile.Read(ref applied));
        Assert.Null(client.Current);
        Assert.Null(w.Server!.AckedVersion(KubeWorld.GatewayKey));

        // Credentials from a foreign CA do not get past the TLS handshake either.
        using var foreign = CertificateAuthority.Create("foreign");
        await using var stranger = new ProxyClient(new ProxyClientOptions
        {
            ControllerAddress = new Uri(w.ControllerUrl),
            Credentials = foreign.IssueProxyCertificate("test", "gw"),
            Apply = (_, _) => { Interlocked.Increment(ref applied); return Task.CompletedTask; },
            InitialBackoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = TimeSpan.FromMilliseconds(500),
        });
        stranger.Start();
        await Harness.WaitAsync(() => stranger.LastError is not null, "a foreign CA's client is refused");
        await Task.Delay(300);
        Assert.Equal(0, Volatile.Read(ref applied));
        Assert.Null(stranger.Current);
    }
}
