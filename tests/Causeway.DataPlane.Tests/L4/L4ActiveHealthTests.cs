using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Causeway.DataPlane.L4;
using Causeway.DataPlane.Tests.Policies;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using Grpc.Health.V1;
using static Causeway.DataPlane.Tests.L4.L4TestSupport;

namespace Causeway.DataPlane.Tests.L4;

/// <summary>
/// BackendTrafficPolicy <c>healthCheck.active</c> of type HTTP and GRPC on a TCPRoute: the endpoints are probed over
/// plain connections of the checker's own, and connections go only to the endpoints that pass.
/// </summary>
public sealed class L4ActiveHealthTests
{
    private static PortIr TcpPort(ActiveHealthIr check) =>
        Port(PortProtocol.Tcp, Listener("gw/tcp", Route("tcproute/ns/r", null, ("b", 1)) with
        {
            BackendTraffic = new BackendTrafficPolicyIr
            {
                Policy = "ns/p",
                LoadBalancer = new LoadBalancerIr { Kind = LoadBalancerKind.RoundRobin },
                ActiveHealth = check,
                PanicThreshold = 0,
            },
        }));

    [Fact]
    public async Task An_endpoint_failing_its_http_check_gets_no_connections_until_it_passes_again()
    {
        await using var a = new HttpAwareTcpBackend("A");
        await using var b = new HttpAwareTcpBackend("B");
        var check = new ActiveHealthIr
        {
            Kind = ActiveHealthKind.Http,
            Path = "/healthz",
            Interval = TimeSpan.FromMilliseconds(100),
            Timeout = TimeSpan.FromSeconds(1),
            UnhealthyThreshold = 1,
            HealthyThreshold = 1,
        };
        await using var server = await StartAsync(TcpPort(check), Lookup(Backend("b", a.EndPoint, b.EndPoint)));
        Assert.Equal(new[] { "A", "B" }, (await NamesAsync(server, 6)).Order().ToArray());
        await WaitUntilAsync(() => Task.FromResult(a.Probes.Contains("GET /healthz HTTP/1.1") && b.Probes.Contains("GET /healthz HTTP/1.1")));

        b.HealthStatus = 503;
        await WaitUntilAsync(async () => (await NamesAsync(server, 4)).SetEquals(["A"]));
        Assert.Equal(new[] { "A" }, (await NamesAsync(server, 8)).ToArray());

        b.HealthStatus = 200;
        await WaitUntilAsync(async () => (await NamesAsync(server, 4)).Contains("B"));
    }

    [Fact]
    public async Task An_endpoint_reporting_not_serving_to_its_grpc_check_gets_no_connections()
    {
        await using var a = await ActiveHealthCheckTests.GrpcHealthBackend.StartAsync("g0");
        await using var b = await ActiveHealthCheckTests.GrpcHealthBackend.StartAsync("g1");
        var check = new ActiveHealthIr
        {
            Kind = ActiveHealthKind.Grpc,
            Interval = TimeSpan.FromMilliseconds(100),
            Timeout = TimeSpan.FromSeconds(1),
            UnhealthyThreshold = 1,
            HealthyThreshold = 1,
        };
        var backend = Backend("b", new IPEndPoint(IPAddress.Loopback, a.Port), new IPEndPoint(IPAddress.Loopback, b.Port));
        await using var server = await StartAsync(TcpPort(check), Lookup(backend));

        // Each request on a new connection through the TCP route: the balancer picks per connection.
        async Task<HashSet<string>> Names(int n)
        {
            var names = new HashSet<string>();
            for (var i = 0; i < n; i++)
            {
                using var client = new HttpClient(new SocketsHttpHandler()) { Timeout = TestTimeout };
                using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{server.BoundPort}/who")
                {
                    Version = HttpVersion.Version20,
                    VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                };
                using var response = await client.SendAsync(request);
                names.Add(await response.Content.ReadAsStringAsync());
            }
            return names;
        }
        Assert.Equal(2, (await Names(6)).Count);
        b.Health.SetStatus("", HealthCheckResponse.Types.ServingStatus.NotServing);
        await WaitUntilAsync(async () => (await Names(4)).SetEquals(["g0"]));
        Assert.Equal(new[] { "g0" }, (await Names(8)).ToArray());
    }

    /// <summary>Names of the backends that served <paramref name="n"/> new connections.</summary>
    private static async Task<HashSet<string>> NamesAsync(L4Server server, int n)
    {
        var names = new HashSet<string>();
        for (var i = 0; i < n; i++)
        {
            using var client = await ConnectAsync(server);
            using var cts = new CancellationTokenSource(TestTimeout);
            var stream = client.GetStream();
            await stream.WriteAsync("hi\n"u8.ToArray(), cts.Token);
            var line = await ReadLineAsync(stream, cts.Token);
            Assert.EndsWith(":hi", line, StringComparison.Ordinal);
            names.Add(line[..line.IndexOf(':', StringComparison.Ordinal)]);
        }
        return names;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = Environment.TickCount64 + (long)TestTimeout.TotalMilliseconds;
        while (!await condition())
        {
            Assert.True(Environment.TickCount64 < deadline, "condition not met in time");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// A TCP backend on 127.0.0.1:0 that also answers HTTP: a connection whose first line is an HTTP request line gets
    /// <see cref="HealthStatus"/> and is closed; any other first line is answered "NAME:line" and then echoed.
    /// </summary>
    private sealed class HttpAwareTcpBackend(string name) : LoopbackServer
    {
        public volatile int HealthStatus = 200;

        public ConcurrentBag<string> Probes { get; } = [];

        protected override async Task ServeAsync(TcpClient client, int number)
        {
            var stream = client.GetStream();
            var first = await ReadLineAsync(stream, Stopping);
            if (first.EndsWith(" HTTP/1.1\r", StringComparison.Ordinal))
            {
                Probes.Add(first.TrimEnd('\r'));
                while ((await ReadLineAsync(stream, Stopping)).TrimEnd('\r').Length > 0) { }
                var status = HealthStatus;
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {(status == 200 ? "OK" : "Unavailable")}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), Stopping);
                return;
            }
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{name}:{first}\n"), Stopping);
            var buffer = new byte[4096];
            int n;
            while ((n = await stream.ReadAsync(buffer, Stopping)) > 0) await stream.WriteAsync(buffer.AsMemory(0, n), Stopping);
        }
    }
}
