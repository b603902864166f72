using System.Net;
using System.Text.Json.Nodes;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>Every seed scenario (examples/tke-*) through <c>causeway run</c> on a copy of its directory, backends
/// retargeted at in-test echo servers on 127.61.N.x; the Gateway gets 127.60.N.1 from the address pool.</summary>
public sealed class SeedScenarioTests
{
    private static async Task AssertProgrammedAsync(CausewayRun run)
    {
        var (exit, output, _) = await run.StatusCommandAsync();
        Assert.Equal(0, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["NAME", "CLASS", "ADDRESS", "PROGRAMMED", "AGE"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var row = lines.Single(l => l.StartsWith("test-gw ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["test-gw", "eg", run.GatewayAddress.ToString(), "True"], row[..4]);
    }

    [Theory]
    [InlineData("tke-01-httproute", 1)]
    [InlineData("tke-03-envoyproxy", 3)]
    public async Task HttpRouteServesTestExampleCom(string example, int n)
    {
        var (echo, _) = await E2e.StartHttpEchoAsync($"127.61.{n}.1", "nginx-pod");
        await using var _e = echo;
        await using var run = await CausewayRun.StartAsync(example, n, d => E2e.RetargetSlice(d, "backends.yaml", "nginx-local", $"127.61.{n}.1"));
        await AssertProgrammedAsync(run);
        using var client = E2e.Client(run.GatewayAddress);
        var seen = await E2e.GetEchoAsync(client, "http://test.example.com:8080/hello");
        Assert.Equal("nginx-pod", (string?)seen["pod"]);
        Assert.Equal("/hello", (string?)seen["path"]);
        Assert.Equal("test.example.com:8080", (string?)seen["host"]);
        using var other = await client.GetAsync("http://other.example.com:8080/");
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(0, await run.StopAsync());
    }

    [Fact]
    public async Task Tke02TcpRouteAndUdpRouteOnPort6000()
    {
        await using var tcp = await E2e.StartTcpEchoAsync("127.61.2.1");
        await using var udp = await E2e.StartUdpEchoAsync("127.61.2.2");
        await using var run = await CausewayRun.StartAsync("tke-02-tcproute-udproute", 2, d =>
        {
            E2e.RetargetSlice(d, "backends.yaml", "foo-local", "127.61.2.1");
            E2e.RetargetSlice(d, "backends.yaml", "bar-local", "127.61.2.2");
        });
        await AssertProgrammedAsync(run);
        var (welcome, reply) = await L4Clients.TcpPingAsync(run.GatewayAddress, 6000);
        Assert.Equal("Gateway API Test TCP Server", welcome);
        Assert.Equal("PONG", reply);
        var datagram = JsonNode.Parse(await L4Clients.UdpRoundTripAsync(run.GatewayAddress, 6000, "hello-udp"))!;
        Assert.Contains("hello-udp", datagram.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tke04HostRoutingToTwoServices()
    {
        var (one, _) = await E2e.StartHttpEchoAsync("127.61.4.1", "test1-pod");
        var (two, _) = await E2e.StartHttpEchoAsync("127.61.4.2", "test2-pod");
        await using var _1 = one;
        await using var _2 = two;
        await using var run = await CausewayRun.StartAsync("tke-04-multiple-httproutes", 4, d =>
        {
            E2e.RetargetSlice(d, "backends.yaml", "test1-local", "127.61.4.1");
            E2e.RetargetSlice(d, "backends.yaml", "test2-local", "127.61.4.2");
        });
        await AssertProgrammedAsync(run);
        using var client = E2e.Client(run.GatewayAddress);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("test1-pod", (string?)(await E2e.GetEchoAsync(client, "http://test1.example.com:8080/"))["pod"]);
            Assert.Equal("test2-pod", (string?)(await E2e.GetEchoAsync(client, "http://test2.example.com:8080/"))["pod"]);
        }
        using var none = await client.GetAsync("http://test3.example.com:8080/");
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
    }

    [Fact]
    public async Task Tke05HttpHttpsTcpUdpOnOneGateway()
    {
        var (http, _) = await E2e.StartHttpEchoAsync("127.61.5.1", "nginx-pod");
        await using var _h = http;
        await using var tcp = await E2e.StartTcpEchoAsync("127.61.5.2");
        await using var udp = await E2e.StartUdpEchoAsync("127.61.5.2");
        await using var run = await CausewayRun.StartAsync("tke-05-l4-l7", 5, d =>
        {
            E2e.RetargetSlice(d, "backends.yaml", "nginx-local", "127.61.5.1");
            E2e.RetargetSlice(d, "backends.yaml", "foo-local", "127.61.5.2");
        });
        await AssertProgrammedAsync(run);
        var expected = E2e.SecretCertificate(Path.Combine(run.Dir, "https-cert.yaml"));
        using var client = E2e.Client(run.GatewayAddress, trust: expected);
        Assert.Equal("nginx-pod", (string?)(await E2e.GetEchoAsync(client, "http://test.example.com/"))["pod"]);
        var overTls = await E2e.GetEchoAsync(client, "https://test.example.com/secure");
        Assert.Equal("/secure", (string?)overTls["path"]);
        Assert.Equal(["https"], E2e.EchoHeader(overTls, "X-Forwarded-Proto"));
        Assert.Equal(("Gateway API Test TCP Server", "PONG"), await L4Clients.TcpPingAsync(run.GatewayAddress, 6000));
        Assert.Contains("udp-6000-probe", await L4Clients.UdpRoundTripAsync(run.GatewayAddress, 6000, "udp-6000-probe"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tke06PrefixRedirectAndHttpToHttps()
    {
        await using var run = await CausewayRun.StartAsync("tke-06-redirect-prefix-and-https", 6);
        await AssertProgrammedAsync(run);
        var expected = E2e.SecretCertificate(Path.Combine(run.Dir, "https-cert.yaml"));
        using var client = E2e.Client(run.GatewayAddress, trust: expected);
        // The seed writes http:// for this one, but the route is attached to the https listener only.
        using var prefix = await client.GetAsync("https://test.example.com/api/v1/pods");
        Assert.Equal(HttpStatusCode.MovedPermanently, prefix.StatusCode);
        Assert.Equal("https://test.example.com/apis/v1/pods", prefix.Headers.Location?.OriginalString);
        using var toHttps = await client.GetAsync("http://test.example.com/foo");
        Assert.Equal(HttpStatusCode.MovedPermanently, toHttps.StatusCode);
        Assert.Equal("https://test.example.com/foo", toHttps.Headers.Location?.OriginalString);
        using var otherPath = await client.GetAsync("https://test.example.com/api/v2");
        Assert.Equal(HttpStatusCode.NotFound, otherPath.StatusCode);
    }

    [Fact]
    public async Task Tke07FullPathRedirect()
    {
        await using var run = await CausewayRun.StartAsync("tke-07-redirect-full-path", 7);
        await AssertProgrammedAsync(run);
        var expected = E2e.SecretCertificate(Path.Combine(run.Dir, "https-cert.yaml"));
        using var client = E2e.Client(run.GatewayAddress, trust: expected);
        foreach (var path in new[] { "/foo/cayenne", "/foo/paprika" })
        {
            using var r = await client.GetAsync("https://test.example.com" + path);
            Assert.Equal(HttpStatusCode.MovedPermanently, r.StatusCode);
            Assert.Equal("https://test.example.com/bar", r.Headers.Location?.OriginalString);
        }
    }

    [Fact]
    public async Task Tke08HttpsAndTlsTerminateOn9443()
    {
        var (http, _) = await E2e.StartHttpEchoAsync("127.61.8.1", "nginx-pod");
        await using var _h = http;
        await using var tcp = await E2e.StartTcpEchoAsync("127.61.8.2");
        await using var run = await CausewayRun.StartAsync("tke-08-https-tls", 8, d =>
        {
            E2e.RetargetSlice(d, "backends.yaml", "nginx-local", "127.61.8.1");
            // The seed's TLS listener has no route; give it a TLSRoute to a TCP echo backend.
            File.WriteAllText(Path.Combine(d, "tlsroute.yaml"), """
                apiVersion: v1
                kind: Service
                metadata:
                  name: tcp-echo
                  namespace: test
                spec:
                  ports:
                  - name: tcp
                    port: 7000
                    protocol: TCP
                    targetPort: 3000
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: tcp-echo-local
                  namespace: test
                  labels:
                    kubernetes.io/service-name: tcp-echo
                addressType: IPv4
                ports:
                - name: tcp
                  port: 3000
                  protocol: TCP
                endpoints:
                - addresses:
                  - 127.61.8.2
                  conditions:
                    ready: true
                ---
                apiVersion: gateway.networking.k8s.io/v1alpha2
                kind: TLSRoute
                metadata:
                  name: tls-echo
                  namespace: test
                spec:
                  parentRefs:
                  - name: test-gw
                    sectionName: tls
                  hostnames:
                  - test.example.com
                  rules:
                  - backendRefs:
                    - name: tcp-echo
                      port: 7000
                """);
        });
        await AssertProgrammedAsync(run);
        var expected = E2e.SecretCertificate(Path.Combine(run.Dir, "test-cert.yaml"));
        X509Served? served = null;
        using var client = E2e.Client(run.GatewayAddress, c => served = new X509Served(c.Thumbprint), expected);
        Assert.Equal("nginx-pod", (string?)(await E2e.GetEchoAsync(client, "https://test.example.com/"))["pod"]);
        Assert.Equal(expected.Thumbprint, served?.Thumbprint);
        var (welcome, reply, cert) = await L4Clients.TlsPingAsync(run.GatewayAddress, 9443, "test.example.com", expected);
        Assert.Equal(expected.Thumbprint, cert.Thumbprint);
        Assert.Equal("Gateway API Test TCP Server", welcome);
        Assert.Equal("PONG", reply);
    }

    private sealed record X509Served(string Thumbprint);

    [Fact]
    public async Task Tke09HeaderModifiers()
    {
        var (http, _) = await E2e.StartHttpEchoAsync("127.61.9.1", "nginx-pod");
        await using var _h = http;
        await using var run = await CausewayRun.StartAsync("tke-09-header-modifiers", 9, d => E2e.RetargetSlice(d, "backends.yaml", "nginx-local", "127.61.9.1"));
        await AssertProgrammedAsync(run);
        using var client = E2e.Client(run.GatewayAddress);

        var add = await E2e.GetEchoAsync(client, "http://add-header.example.com:8080/foo/x", ("X-Header-Add", "original"));
        Assert.Equal(["original", "header-add"], E2e.EchoHeader(add, "X-Header-Add").SelectMany(v => v.Split(',')).ToArray());
        var set = await E2e.GetEchoAsync(client, "http://set-header.example.com:8080/foo", ("X-Header-Set", "original"));
        Assert.Equal(["header-set"], E2e.EchoHeader(set, "X-Header-Set"));
        var remove = await E2e.GetEchoAsync(client, "http://remove-header.example.com:8080/foo", ("X-Header-Remove", "gone"), ("X-Keep", "kept"));
        Assert.Empty(E2e.EchoHeader(remove, "X-Header-Remove"));
        Assert.Equal(["kept"], E2e.EchoHeader(remove, "X-Keep"));
        // Outside /foo the filters do not apply (and no route matches).
        using var notFoo = await client.GetAsync("http://add-header.example.com:8080/bar");
        Assert.Equal(HttpStatusCode.NotFound, notFoo.StatusCode);

        using var response = await client.GetAsync("http://response-header.example.com:8080/foo");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        for (var i = 1; i <= 3; i++)
            Assert.Equal([$"header-add-{i}"], response.Headers.GetValues($"X-Header-Add-{i}").ToArray());
    }
}
