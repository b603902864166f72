using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Causeway.Distribution.Security;
using Causeway.Distribution.Server;
using Causeway.Kubernetes.Api;
using Causeway.Testing.KubeApi;

namespace Causeway.Kubernetes.Tests.Wiring;

/// <summary>
/// Kubernetes mode end to end minus the cluster: the fake API server with a Gateway <c>test/gw</c> (an HTTP listener and
/// a TCP listener on free ports), an HTTPRoute and a TCPRoute whose EndpointSlices point at in-test backends on
/// 127.0.0.1, and a controller with a <see cref="DistributionServer"/> on loopback that can be restarted on the same port
/// with the same CA (as the <c>causeway-ca</c> Secret makes a restarted controller do).
/// </summary>
internal sealed class KubeWorld : IAsyncDisposable
{
    public const string GatewayKey = "test/gw";

    private readonly List<string> _dirs = [];

    private KubeWorld(Harness h, TestBackends backends) { H = h; Backends = backends; }

    public Harness H { get; }
    public TestBackends Backends { get; }
    public CertificateAuthority Ca { get; } = CertificateAuthority.Create();
    public DistributionServer? Server { get; private set; }
    public Controller? Controller { get; private set; }
    public int DistributionPort { get; private set; }
    public int HttpPort { get; } = TestBackends.FreePort();
    public int TcpPort { get; } = TestBackends.FreePort();
    public int Backend1 { get; private set; }
    public int Backend2 { get; private set; }
    public int TcpBackend { get; private set; }
    public string ControllerUrl => $"https://127.0.0.1:{DistributionPort}";

    public static async Task<KubeWorld> StartAsync(bool startController = true)
    {
        var w = new KubeWorld(await Harness.StartAsync(), new TestBackends());
        w.Backend1 = await w.Backends.StartHttpAsync("backend-1");
        w.Backend2 = await w.Backends.StartHttpAsync("backend-2");
        w.TcpBackend = w.Backends.StartTcp();
        w.H.Server.ApplyManifest(w.Manifest("web"));
        if (startController) await w.StartControllerAsync();
        return w;
    }

    public async Task StartControllerAsync()
    {
        if (Controller is not null) throw new InvalidOperationException("controller running");
        Server = new DistributionServer(new DistributionServerOptions
        {
            Endpoint = new IPEndPoint(IPAddress.Loopback, DistributionPort),
            Authority = Ca,
            KeepAliveInterval = TimeSpan.FromSeconds(2),
            KeepAliveTimeout = TimeSpan.FromSeconds(2),
        });
        await Server.StartAsync(CancellationToken.None);
        DistributionPort = Server.Port;
        Controller = new Controller(H.Options() with
        {
            ControllerAddress = ControllerUrl,
            Distribution = new ControllerDistribution(Server, Ca),
        });
        await Controller.StartAsync(CancellationToken.None);
    }

    public async Task StopControllerAsync()
    {
        if (Controller is not null) await Controller.DisposeAsync();
        if (Server is not null) await Server.DisposeAsync();
        Controller = null;
        Server = null;
    }

    /// <summary>The cloud assigns the proxy Service a load-balancer address (the proxies must not try to bind it).</summary>
    public async Task AssignLoadBalancerAsync()
    {
        // The controller's first reconcile: slow on a two-core machine running the other suites at the same time.
        await Harness.WaitAsync(() => H.Server.Get(ResourceType.Services, "test", "causeway-gw") is not null, "proxy Service causeway-gw", seconds: 30);
        H.Server.UpdateStatus(ResourceType.Services, "test", "causeway-gw",
            new JsonObject { ["loadBalancer"] = new JsonObject { ["ingress"] = new JsonArray(new JsonObject { ["ip"] = "203.0.113.9" }) } });
    }

    public JsonObject? Gateway => H.Server.Get(ResourceType.Gateways, "test", "gw");

    public string? Programmed => Harness.ConditionStatus(Gateway, "Programmed");

    public string? ProgrammedReason => Harness.Condition(Gateway, "Programmed")?["reason"]?.GetValue<string>();

    /// <summary>Waits for the controller-issued Secret <c>causeway-gw-proxy</c> and writes it to a directory as the pod mount would.</summary>
    public async Task<string> MountCredentialsAsync()
    {
        await Harness.WaitAsync(() => H.Server.Get(ResourceType.Secrets, "test", "causeway-gw-proxy") is not null, "Secret causeway-gw-proxy");
        var secret = H.Server.Get(ResourceType.Secrets, "test", "causeway-gw-proxy")!;
        var dir = Directory.CreateTempSubdirectory("causeway-creds-").FullName;
        _dirs.Add(dir);
        foreach (var (k, v) in secret["data"]!.AsObject())
            await File.WriteAllBytesAsync(Path.Combine(dir, k), Convert.FromBase64String(v!.GetValue<string>()));
        return dir;
    }

    /// <summary>Credentials written to a directory (e.g. another Gateway's).</summary>
    public async Task<string> WriteCredentialsAsync(IssuedCredentials credentials)
    {
        var dir = Directory.CreateTempSubdirectory("causeway-creds-").FullName;
        _dirs.Add(dir);
        foreach (var (k, v) in credentials.ToSecretData()) await File.WriteAllBytesAsync(Path.Combine(dir, k), v);
        return dir;
    }

    /// <summary>GET http://127.0.0.1:HttpPort/PATH through the proxy, with a short timeout; null on any failure.</summary>
    public async Task<string?> TryGetAsync(string path = "/hello")
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var resp = await http.GetAsync($"http://127.0.0.1:{HttpPort}{path}");
            return resp.IsSuccessStatusCode ? await resp.Content.ReadAsStringAsync() : $"HTTP {(int)resp.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return null; }
    }

    public string Manifest(string httpBackendService) => $$"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: causeway}
        spec: {controllerName: gateway.causeway.dev/gatewayclass-controller}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: test}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: test}
        spec:
          gatewayClassName: causeway
          listeners:
          - name: http
            protocol: HTTP
            port: {{HttpPort}}
          - name: tcp
            protocol: TCP
            port: {{TcpPort}}
            allowedRoutes: {kinds: [{kind: TCPRoute}]}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: web, namespace: test}
        spec:
          parentRefs: [{name: gw, sectionName: http}]
          rules:
          - backendRefs: [{name: {{httpBackendService}}, port: 8080}]
        ---
        apiVersion: gateway.networking.k8s.io/v1alpha2
        kind: TCPRoute
        metadata: {name: tcp, namespace: test}
        spec:
          parentRefs: [{name: gw, sectionName: tcp}]
          rules:
          - backendRefs: [{name: tcp-echo, port: 9000}]
        {{Backend("web", 8080, Backend1)}}
        {{Backend("web2", 8080, Backend2)}}
        {{Backend("tcp-echo", 9000, TcpBackend)}}
        """;

    private static string Backend(string name, int port, int target) => $$"""
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: {{name}}, namespace: test}
        spec:
          ports: [{name: p, port: {{port}}, targetPort: {{target}}, protocol: TCP}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: {{name}}-1
          namespace: test
          labels: {kubernetes.io/service-name: {{name}}}
        addressType: IPv4
        ports: [{name: p, port: {{target}}, protocol: TCP}]
        endpoints:
        - addresses: ["127.0.0.1"]
          conditions: {ready: true}
        """;

    public async ValueTask DisposeAsync()
    {
        await StopControllerAsync();
        await H.DisposeAsync();
        await Backends.DisposeAsync();
        Ca.Dispose();
        foreach (var d in _dirs)
        {
            try { Directory.Delete(d, recursive: true); }
            catch (IOException) { }
        }
    }
}
