using System.Net;
using System.Net.Sockets;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Http;

public sealed class ListenerTests : IAsyncLifetime
{
    private EchoBackend _a = null!;
    private EchoBackend _b = null!;

    public async Task InitializeAsync()
    {
        _a = await EchoBackend.StartAsync("a");
        _b = await EchoBackend.StartAsync("b");
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task Reapply_while_requests_run_has_zero_failures()
    {
        GatewayIr Version(int v) => Gateway("ns/gw", [HttpPort(Host("*",
                Prefix("/v", To(v % 2 == 0 ? "ns/a:80" : "ns/b:80", "r" + v)),
                Exact("/x" + v, To("ns/a:80", "x"))))],
            Backend("ns/a:80", _a), Backend("ns/b:80", _b));
        await using var g = await TestGateway.StartAsync(Version(0));
        var port = g.Port;
        using var stop = new CancellationTokenSource();
        var failures = 0;
        var total = 0;
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var loops = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 2000 && !stop.IsCancellationRequested; i++)
            {
                using var r = await g.GetAsync("h", "/v");
                Interlocked.Increment(ref total);
                if (r.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref failures);
                else seen.AddOrUpdate(r.Headers.GetValues("x-backend").Single(), 1, (_, n) => n + 1);
            }
        })).ToArray();
        for (var v = 1; v <= 20; v++)
        {
            var report = await g.ApplyAsync(Version(v));
            Assert.Equal(port, report.BoundPorts["ns/gw:0"]);
            await Task.Delay(20);
        }
        stop.Cancel();
        await Task.WhenAll(loops);
        Assert.Equal(0, failures);
        Assert.True(total > 20);
        Assert.True(seen.ContainsKey("a") && seen.ContainsKey("b"), string.Join(",", seen.Keys));
    }

    [Fact]
    public async Task Unbindable_port_is_reported_and_other_ports_serve()
    {
        using var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        var taken = ((IPEndPoint)occupier.LocalEndpoint).Port;
        var gw = Gateway("ns/gw", [
                Port(PortProtocol.Http, taken, Listener("ns/gw/taken", null, Host("*", Prefix("/", To("ns/a:80"))))),
                Port(PortProtocol.Http, 0, Listener("ns/gw/free", null, Host("*", Prefix("/", To("ns/a:80")))))],
            Backend("ns/a:80", _a));
        await using var plane = new DataPlane(TestGateway.Options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        var report = await plane.ApplyAsync([gw], CancellationToken.None);
        Assert.True(report.ListenerFailures.ContainsKey("ns/gw/taken"));
        Assert.False(report.ListenerFailures.ContainsKey("ns/gw/free"));
        var port = report.BoundPorts["ns/gw:0"];
        using var client = new HttpClient();
        using var r = await client.GetAsync($"http://127.0.0.1:{port}/");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
    }

    [Fact]
    public async Task Tcp_and_http_ports_of_one_gateway_are_served_by_one_data_plane()
    {
        // A TCP echo backend, and a free port for the gateway's TCP listener (the HTTP port is ephemeral).
        using var echo = new TcpListener(IPAddress.Loopback, 0);
        echo.Start();
        var echoPort = ((IPEndPoint)echo.LocalEndpoint).Port;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var serve = Task.Run(async () =>
        {
            using var conn = await echo.AcceptTcpClientAsync(cts.Token);
            var stream = conn.GetStream();
            var buffer = new byte[1024];
            var n = await stream.ReadAsync(buffer, cts.Token);
            await stream.WriteAsync(buffer.AsMemory(0, n), cts.Token);
        });
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var tcpPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var tcp = new L4RouteIr { Name = "tcproute/ns/t", Backends = new[] { new WeightedBackendIr { BackendId = "ns/t:9/tcp", Weight = 1 } } };
        var gw = Gateway("ns/gw", [
                Port(PortProtocol.Tcp, tcpPort, new ListenerIr { Name = "ns/gw/tcp", L4Routes = new[] { tcp } }),
                Port(PortProtocol.Http, 0, Listener("ns/gw/http", null, Host("*", Prefix("/", To("ns/a:80")))))],
            Backend("ns/a:80", _a),
            Backend("ns/t:9/tcp", echoPort) with { Protocol = BackendProtocol.Stream });
        await using var plane = new DataPlane(TestGateway.Options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        var report = await plane.ApplyAsync([gw], cts.Token);
        Assert.Empty(report.ListenerFailures);

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, tcpPort, cts.Token);
        var s = client.GetStream();
        await s.WriteAsync("ping"u8.ToArray(), cts.Token);
        var reply = new byte[4];
        await s.ReadExactlyAsync(reply, cts.Token);
        Assert.Equal("ping", System.Text.Encoding.ASCII.GetString(reply));
        await serve;

        using var http = new HttpClient();
        Assert.Contains("\"a\"", await http.GetStringAsync($"http://127.0.0.1:{report.BoundPorts["ns/gw:0"]}/", cts.Token));
    }

    [Fact]
    public async Task Removed_port_is_unbound_and_same_key_keeps_its_port()
    {
        var two = Gateway("ns/gw", [
                Port(PortProtocol.Http, 0, Listener("ns/gw/one", null, Host("*", Prefix("/", To("ns/a:80")))))],
            Backend("ns/a:80", _a));
        await using var g = await TestGateway.StartAsync(two);
        var port = g.Port;
        Assert.Equal("a", (await g.EchoAsync("h", "/")).Name);
        var report = await g.ApplyAsync(Gateway("ns/gw", [], Backend("ns/a:80", _a)));
        Assert.Empty(report.BoundPorts);
        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, port));
    }

    [Fact]
    public async Task Two_gateways_on_distinct_addresses()
    {
        var gw1 = Gateway("ns/one", [HttpPort(Host("*", Prefix("/", To("ns/a:80"))))], Backend("ns/a:80", _a)) with { Addresses = new[] { "127.0.0.2" } };
        var gw2 = Gateway("ns/two", [HttpPort(Host("*", Prefix("/", To("ns/b:80"))))], Backend("ns/b:80", _b)) with { Addresses = new[] { "127.0.0.3" } };
        await using var plane = new DataPlane(TestGateway.Options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        var report = await plane.ApplyAsync([gw1, gw2], CancellationToken.None);
        Assert.Empty(report.ListenerFailures);
        using var client = new HttpClient();
        Assert.Contains("\"a\"", await client.GetStringAsync($"http://127.0.0.2:{report.BoundPorts["ns/one:0"]}/"));
        Assert.Contains("\"b\"", await client.GetStringAsync($"http://127.0.0.3:{report.BoundPorts["ns/two:0"]}/"));
    }
}
