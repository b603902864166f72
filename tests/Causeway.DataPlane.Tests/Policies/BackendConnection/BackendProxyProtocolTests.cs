using System.Net;
using System.Net.Sockets;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies.BackendConnection;

/// <summary>
/// BackendTrafficPolicy <c>proxyProtocol</c> on HTTP routes: each new backend connection starts with a PROXY header naming
/// the client connection (source: the client's address and port; destination: the gateway address it connected to), and
/// a backend connection carrying one client's header serves that client connection only — on the event loop, the
/// HTTP/1.1 relay, HTTPS and the Kestrel pipeline (HTTP/2 clients).
/// </summary>
public sealed class BackendProxyProtocolTests
{
    private static readonly TestCert Ca = TestCerts.CreateCa("pp-ca");
    private static readonly TestCert Cert = TestCerts.CreateLeaf(Ca, "h.example.com", "h.example.com");

    private static GatewayIr Gateway(int backendPort, BackendProxyProtocolVersion version, bool https)
    {
        var rule = To("ns/b:80", "httproute/ns/r/rule/0") with { BackendTraffic = new BackendTrafficPolicyIr { Policy = "ns/pp", ProxyProtocol = version } };
        var port = https
            ? Port(PortProtocol.Https, 0, Listener("ns/gw/https", null, Host("*", Prefix("/", rule))) with { Certificates = new[] { Cert.ToIr("h.example.com") } })
            : HttpPort(Host("*", Prefix("/", rule)));
        // What the translator folds into the backend's connection settings from the policies reaching it.
        return Support.Ir.Gateway("ns/gw", [port], Backend("ns/b:80", backendPort) with { Connection = new BackendConnectionIr { ProxyProtocol = version } });
    }

    /// <summary>A client of its own (one connection), which records the local address of that connection.</summary>
    private sealed class Client : IDisposable
    {
        private readonly HttpClient _http;
        private readonly string _scheme;
        private readonly Version _version;
        private readonly int _port;

        public Client(int port, bool https, bool http2)
        {
            _port = port;
            _scheme = https ? "https" : "http";
            _version = http2 ? HttpVersion.Version20 : HttpVersion.Version11;
            var handler = new SocketsHttpHandler
            {
                UseProxy = false,
                MaxConnectionsPerServer = 1,
                ConnectCallback = async (context, ct) =>
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, ct);
                    Local = (IPEndPoint)socket.LocalEndPoint!;
                    return new NetworkStream(socket, ownsSocket: true);
                },
            };
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
            _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(15) };
        }

        public IPEndPoint? Local { get; private set; }

        /// <summary>The backend's <c>conn=N src=... dst=...</c> answer, split.</summary>
        public async Task<(string Conn, string Src, string Dst)> GetAsync(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{_scheme}://127.0.0.1:{_port}{path}") { Version = _version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            request.Headers.Host = "h.example.com";
            using var response = await _http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
            Assert.Equal(_version, response.Version);
            var parts = body.Split(' ').Select(p => p[(p.IndexOf('=', StringComparison.Ordinal) + 1)..]).ToArray();
            return (parts[0], parts[1], parts[2]);
        }

        public void Dispose() => _http.Dispose();
    }

    [Theory]
    [InlineData("loop", BackendProxyProtocolVersion.V1)]
    [InlineData("loop", BackendProxyProtocolVersion.V2)]
    [InlineData("relay", BackendProxyProtocolVersion.V1)]
    [InlineData("relay", BackendProxyProtocolVersion.V2)]
    [InlineData("https", BackendProxyProtocolVersion.V1)]
    [InlineData("https", BackendProxyProtocolVersion.V2)]
    [InlineData("relay-https", BackendProxyProtocolVersion.V1)]
    [InlineData("h2", BackendProxyProtocolVersion.V1)]
    [InlineData("h2", BackendProxyProtocolVersion.V2)]
    [InlineData("https-h2", BackendProxyProtocolVersion.V2)]
    // Ports bound to any address: the destination is still the address the client connected to.
    [InlineData("loop-any", BackendProxyProtocolVersion.V1)]
    [InlineData("relay-any", BackendProxyProtocolVersion.V2)]
    [InlineData("https-h2-any", BackendProxyProtocolVersion.V2)]
    public async Task Backend_connections_start_with_the_clients_PROXY_header_and_serve_that_client_only(string variant, BackendProxyProtocolVersion version)
    {
        await using var backend = new ProxyHttpBackend();
        var transport = variant.Replace("-any", "", StringComparison.Ordinal);
        var https = transport.Contains("https", StringComparison.Ordinal);
        var options = transport.StartsWith("relay", StringComparison.Ordinal) ? TestGateway.Options with { Http1EventLoop = false } : TestGateway.Options;
        if (variant.EndsWith("-any", StringComparison.Ordinal)) options = options with { DefaultBindAddress = IPAddress.Any };
        await using var g = await TestGateway.StartAsync(options, Gateway(backend.Port, version, https));
        var http2 = transport.EndsWith("h2", StringComparison.Ordinal);
        using var a = new Client(g.Port, https, http2);
        using var b = new Client(g.Port, https, http2);

        var a1 = await a.GetAsync("/a1");
        var a2 = await a.GetAsync("/a2");
        var b1 = await b.GetAsync("/b1");
        var a3 = await a.GetAsync("/a3");
        var b2 = await b.GetAsync("/b2");

        var gateway = new IPEndPoint(IPAddress.Loopback, g.Port).ToString();
        Assert.Equal(a.Local!.ToString(), a1.Src);
        Assert.Equal(gateway, a1.Dst);
        Assert.Equal(b.Local!.ToString(), b1.Src);
        Assert.Equal(gateway, b1.Dst);
        Assert.NotEqual(a.Local.Port, b.Local.Port);
        // Each client connection keeps its own backend connection; the other client's is never lent to it.
        Assert.Equal(a1, a2);
        Assert.Equal(a1, a3);
        Assert.Equal(b1, b2);
        Assert.NotEqual(a1.Conn, b1.Conn);
        Assert.Equal(2, backend.Connections);
        Assert.All(backend.Headers, h => Assert.True(h.Valid));
        if (!Native.IsSupported) return;
        var fast = g.Plane.FastPath!;
        if (transport == "loop") Assert.Equal((5, 0), (fast.LoopRequests, fast.LoopHandOffs));
        if (transport.StartsWith("relay", StringComparison.Ordinal)) Assert.Equal((5, 0), (fast.Requests, fast.HandOffs));
    }

    [Fact]
    public async Task Concurrent_http2_streams_of_two_clients_each_reach_the_backend_under_their_own_client()
    {
        await using var backend = new ProxyHttpBackend();
        await using var g = await TestGateway.StartAsync(Gateway(backend.Port, BackendProxyProtocolVersion.V2, https: false));
        using var a = new Client(g.Port, https: false, http2: true);
        using var b = new Client(g.Port, https: false, http2: true);
        await a.GetAsync("/warm");
        await b.GetAsync("/warm");
        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => (i % 2 == 0 ? a : b).GetAsync($"/{i}")));
        for (var i = 0; i < answers.Length; i++)
            Assert.Equal((i % 2 == 0 ? a : b).Local!.ToString(), answers[i].Src);
        // Connections opened for one client never carried the other's requests.
        var byConnection = answers.GroupBy(x => x.Conn).ToList();
        Assert.All(byConnection, group => Assert.Single(group.Select(x => x.Src).Distinct()));
        Assert.All(backend.Headers, h => Assert.True(h.Valid));
    }

    [Fact]
    public async Task A_client_connection_that_closes_takes_its_backend_connection_with_it()
    {
        await using var backend = new ProxyHttpBackend();
        await using var g = await TestGateway.StartAsync(Gateway(backend.Port, BackendProxyProtocolVersion.V1, https: false));
        for (var i = 0; i < 3; i++)
        {
            await using var c = await RawClient.ConnectAsync(g.Port);
            await c.SendAsync("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            var r = await c.ReadResponseAsync();
            Assert.Equal(200, r.Status);
            Assert.Contains($"conn={i + 1} src=127.0.0.1:{((IPEndPoint)c.Stream.Socket.LocalEndPoint!).Port} ", r.BodyText, StringComparison.Ordinal);
        }
        Assert.Equal(3, backend.Connections);
        // None is left idle in the endpoint's shared pool for another client.
        Assert.Equal(0, g.Plane.FastPath?.Pools.Find("127.0.0.1", backend.Port)?.IdleCount ?? 0);
    }

    [Fact]
    public async Task Rules_without_the_policy_keep_pooling_across_clients()
    {
        await using var backend = new RawBackend(_ => (RawBackend.Ok("plain"), false));
        await using var g = await TestGateway.StartAsync(OneRoute(backend.Port));
        for (var i = 0; i < 3; i++)
        {
            await using var c = await RawClient.ConnectAsync(g.Port);
            await c.SendAsync("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            Assert.Equal("plain", (await c.ReadResponseAsync()).BodyText);
        }
        Assert.DoesNotContain(backend.Requests, h => h.StartsWith("PROXY", StringComparison.Ordinal));
        Assert.True(backend.Connections <= 2, $"{backend.Connections} connections (one per event loop at most)");
    }
}
