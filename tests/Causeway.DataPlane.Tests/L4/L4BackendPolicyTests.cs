using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Causeway.DataPlane.L4;
using Causeway.DataPlane.Transports.ProxyProtocol;
using Causeway.Model;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.L4.L4TestSupport;

namespace Causeway.DataPlane.Tests.L4;

/// <summary>
/// BackendTrafficPolicy on TCP and TLS routes, through real sockets: load balancing across connections, active TCP
/// health checks, maxConnections, the connect timeout and the PROXY header the backend sees.
/// </summary>
public sealed class L4BackendPolicyTests
{
    private static PortIr TcpPort(BackendTrafficPolicyIr policy, params string[] backendIds) =>
        Port(PortProtocol.Tcp, Listener("gw/tcp", Route("tcproute/ns/r", null, [.. backendIds.Select(id => ((string?)id, 1))]) with { BackendTraffic = policy }));

    private static BackendTrafficPolicyIr Policy(LoadBalancerKind kind = LoadBalancerKind.RoundRobin) =>
        new() { Policy = "ns/p", LoadBalancer = new LoadBalancerIr { Kind = kind } };

    /// <summary>Opens a connection through the gateway and reads the backend's banner line.</summary>
    private static async Task<string> BannerAsync(L4Server server)
    {
        using var client = await ConnectAsync(server);
        using var cts = new CancellationTokenSource(TestTimeout);
        return await ReadLineAsync(client.GetStream(), cts.Token);
    }

    [Fact]
    public async Task Round_robin_alternates_and_source_ip_hashing_keeps_a_client_on_one_endpoint()
    {
        await using var a = new TestTcpBackend(banner: "A");
        await using var b = new TestTcpBackend(banner: "B");
        var backend = Backend("b", a.EndPoint, b.EndPoint);

        await using (var server = await StartAsync(TcpPort(Policy(), "b"), Lookup(backend)))
        {
            var seen = new List<string>();
            for (var i = 0; i < 6; i++) seen.Add(await BannerAsync(server));
            Assert.Equal(3, seen.Count(s => s == "A"));
            Assert.Equal(3, seen.Count(s => s == "B"));
            for (var i = 1; i < seen.Count; i++) Assert.NotEqual(seen[i - 1], seen[i]);
        }

        var hash = Policy(LoadBalancerKind.ConsistentHash) with { LoadBalancer = new LoadBalancerIr { Kind = LoadBalancerKind.ConsistentHash, HashOn = HashSourceKind.SourceIp } };
        await using (var server = await StartAsync(TcpPort(hash, "b"), Lookup(backend)))
        {
            var seen = new HashSet<string>();
            for (var i = 0; i < 8; i++) seen.Add(await BannerAsync(server));
            Assert.Single(seen);
            // Different client addresses (127.0.0.0/8 is all loopback) spread over both endpoints.
            var byClient = new HashSet<string>();
            for (var last = 2; last < 40 && byClient.Count < 2; last++)
            {
                using var client = new TcpClient(new IPEndPoint(IPAddress.Parse("127.0.0." + last), 0));
                using var cts = new CancellationTokenSource(TestTimeout);
                await client.ConnectAsync(IPAddress.Loopback, server.BoundPort, cts.Token);
                var first = await ReadLineAsync(client.GetStream(), cts.Token);
                byClient.Add(first);
            }
            Assert.Equal(2, byClient.Count);
        }
    }

    [Fact]
    public async Task Active_tcp_check_takes_a_stopped_endpoint_out_and_brings_it_back()
    {
        await using var a = new TestTcpBackend(banner: "A");
        var b = new TestTcpBackend(banner: "B");
        var bPort = b.EndPoint;
        var policy = Policy() with
        {
            ActiveHealth = new ActiveHealthIr
            {
                Kind = ActiveHealthKind.Tcp,
                Timeout = TimeSpan.FromMilliseconds(300),
                Interval = TimeSpan.FromMilliseconds(100),
                UnhealthyThreshold = 1,
                HealthyThreshold = 1,
            },
            PanicThreshold = 0,
        };
        await using var server = await StartAsync(TcpPort(policy, "b"), Lookup(Backend("b", a.EndPoint, bPort)));
        Assert.Contains("B", await BannersAsync(server, 4));

        await b.DisposeAsync();
        // Until the check marks B down, every other connection tries B first (a connect failure, then A); after it,
        // no connection tries B: four connections in a row without a connect failure, all served by A.
        await WaitUntilAsync(async () =>
        {
            var failures = server.Metrics.Snapshot().BackendConnectAttemptFailures;
            var banners = await BannersAsync(server, 4);
            return banners.All(s => s == "A") && server.Metrics.Snapshot().BackendConnectAttemptFailures == failures;
        });
        var after = await BannersAsync(server, 6);
        Assert.True(after.All(s => s == "A"), string.Join(",", after));

        await using var again = new TestTcpBackend(banner: "B", port: bPort.Port);
        await WaitUntilAsync(async () => (await BannersAsync(server, 4)).Contains("B"));
    }

    [Fact]
    public async Task Passive_check_ejects_an_endpoint_after_a_connect_failure()
    {
        await using var a = new TestTcpBackend(banner: "A");
        var closed = ClosedEndpoint();
        var policy = Policy() with
        {
            PassiveHealth = new PassiveHealthIr
            {
                SplitExternalLocalOriginErrors = true,
                ConsecutiveLocalOriginFailures = 1,
                Interval = TimeSpan.FromSeconds(3),
                BaseEjectionTime = TimeSpan.FromSeconds(30),
                MaxEjectionPercent = 100,
            },
        };
        await using var server = await StartAsync(TcpPort(policy, "b"), Lookup(Backend("b", a.EndPoint, closed)));
        var banners = await BannersAsync(server, 8);
        Assert.All(banners, s => Assert.Equal("A", s)); // the failed attempt moved on to A
        // Round robin would try the closed endpoint on every other connection (4 failures); ejected after the first.
        Assert.Equal(1, server.Metrics.Snapshot().BackendConnectAttemptFailures);
    }

    [Fact]
    public async Task Udp_sessions_follow_the_policys_balancer()
    {
        await using var a = new TestUdpBackend(prefix: "A:");
        await using var b = new TestUdpBackend(prefix: "B:");
        var backend = new BackendIr
        {
            Id = "u",
            Protocol = BackendProtocol.Datagram,
            Endpoints = new EquatableArray<EndpointIr>([new(a.EndPoint.Address.ToString(), a.EndPoint.Port), new(b.EndPoint.Address.ToString(), b.EndPoint.Port)]),
        };
        var hash = Policy() with { LoadBalancer = new LoadBalancerIr { Kind = LoadBalancerKind.ConsistentHash, HashOn = HashSourceKind.SourceIp } };
        var port = Port(PortProtocol.Udp, Listener("gw/udp", Route("udproute/ns/r", null, ("u", 1)) with { BackendTraffic = hash }));
        await using var server = await StartAsync(port, Lookup(backend));
        // Sessions from one address (different source ports) all go to one endpoint.
        var seen = new HashSet<string>();
        for (var i = 0; i < 6; i++)
        {
            using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            client.Connect(IPAddress.Loopback, server.BoundPort);
            await client.SendAsync("x"u8.ToArray());
            using var cts = new CancellationTokenSource(TestTimeout);
            seen.Add(Encoding.ASCII.GetString((await client.ReceiveAsync(cts.Token)).Buffer));
        }
        Assert.Single(seen);
        // Without the policy, sessions are spread round robin over both.
        server.Update(Port(PortProtocol.Udp, Listener("gw/udp", Route("udproute/ns/r", null, ("u", 1)))), Lookup(backend));
        seen.Clear();
        for (var i = 0; i < 4; i++)
        {
            using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            client.Connect(IPAddress.Loopback, server.BoundPort);
            await client.SendAsync("x"u8.ToArray());
            using var cts = new CancellationTokenSource(TestTimeout);
            seen.Add(Encoding.ASCII.GetString((await client.ReceiveAsync(cts.Token)).Buffer));
        }
        Assert.Equal(2, seen.Count);
    }

    private static async Task<List<string>> BannersAsync(L4Server server, int n)
    {
        var list = new List<string>();
        for (var i = 0; i < n; i++) list.Add(await BannerAsync(server));
        return list;
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

    [Fact]
    public async Task MaxConnections_refuses_connections_beyond_it_until_one_ends()
    {
        await using var backend = new TestTcpBackend();
        var policy = Policy() with { CircuitBreaker = new CircuitBreakerIr { MaxConnections = 1 } };
        await using var server = await StartAsync(TcpPort(policy, "b"), Lookup(Backend("b", backend.EndPoint)));
        using var cts = new CancellationTokenSource(TestTimeout);

        var first = await ConnectAsync(server);
        var s1 = first.GetStream();
        await s1.WriteAsync("one\n"u8.ToArray(), cts.Token);
        Assert.Equal("one", await ReadLineAsync(s1, cts.Token));

        using (var second = await ConnectAsync(server))
            Assert.True(await SeesCloseAsync(second.GetStream(), TimeSpan.FromSeconds(5)));
        Assert.Equal(1, backend.Accepted);

        first.Dispose();
        await WaitUntilAsync(async () =>
        {
            using var third = await ConnectAsync(server);
            var s3 = third.GetStream();
            await s3.WriteAsync("three\n"u8.ToArray(), cts.Token);
            using var read = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try { return await ReadLineAsync(s3, read.Token) == "three"; }
            catch (Exception e) when (e is OperationCanceledException or IOException) { return false; }
        });
    }

    [Fact]
    public async Task Connect_timeout_of_the_policy_bounds_a_backend_that_never_answers()
    {
        // A listener with a full accept queue: the kernel drops further SYNs, so connecting hangs.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        silent.Listen(0);
        var target = (IPEndPoint)silent.LocalEndPoint!;
        var fillers = new List<Socket>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var f = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(f);
                using var fill = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
                try { await f.ConnectAsync(target, fill.Token); }
                catch (OperationCanceledException) { }
            }
            // Precondition: a direct connect now hangs.
            using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await probe.ConnectAsync(target, wait.Token));
            }

            var policy = Policy() with { ConnectTimeout = TimeSpan.FromMilliseconds(300) };
            // The server's own connect timeout is 10 s: only the policy's can close the client quickly.
            var options = FastOptions with { ConnectTimeout = TimeSpan.FromSeconds(10) };
            await using var server = await StartAsync(TcpPort(policy, "b"), Lookup(Backend("b", target)), options);
            using var client = await ConnectAsync(server);
            var started = Environment.TickCount64;
            Assert.True(await SeesCloseAsync(client.GetStream(), TimeSpan.FromSeconds(5)));
            var elapsed = Environment.TickCount64 - started;
            Assert.InRange(elapsed, 200, 4000);
            Assert.Equal(1, server.Metrics.Snapshot().BackendConnectFailures);
        }
        finally
        {
            foreach (var f in fillers) f.Dispose();
        }
    }

    [Theory]
    [InlineData(BackendProxyProtocolVersion.V1)]
    [InlineData(BackendProxyProtocolVersion.V2)]
    public async Task Backend_reads_the_clients_address_from_the_PROXY_header(BackendProxyProtocolVersion version)
    {
        await using var backend = new ProxyProtocolBackend();
        var policy = Policy() with { ProxyProtocol = version };
        await using var server = await StartAsync(TcpPort(policy, "b"), Lookup(Backend("b", backend.EndPoint)));
        using var client = new TcpClient(new IPEndPoint(IPAddress.Parse("127.0.0.9"), 0));
        using var cts = new CancellationTokenSource(TestTimeout);
        await client.ConnectAsync(IPAddress.Loopback, server.BoundPort, cts.Token);
        var stream = client.GetStream();
        await stream.WriteAsync("ping\n"u8.ToArray(), cts.Token);
        Assert.Equal("ping", await ReadLineAsync(stream, cts.Token));
        var (source, rest) = Assert.Single(backend.Seen);
        Assert.Equal((IPEndPoint)client.Client.LocalEndPoint!, source);
        Assert.Equal("ping\n", rest);
    }

    [Fact]
    public async Task Tls_passthrough_sends_the_PROXY_header_before_the_ClientHello()
    {
        await using var backend = new ProxyProtocolBackend();
        var policy = Policy() with { ProxyProtocol = BackendProxyProtocolVersion.V2 };
        var port = Port(PortProtocol.Tls,
            new ListenerIr { Name = "gw/tls", TlsPassthrough = true, L4Routes = new EquatableArray<L4RouteIr>([Route("tlsroute/ns/r", ["secure.example.com"], ("b", 1)) with { BackendTraffic = policy }]) });
        await using var server = await StartAsync(port, Lookup(Backend("b", backend.EndPoint)));
        using var client = await ConnectAsync(server);
        using var cts = new CancellationTokenSource(TestTimeout);
        // The handshake cannot complete (the backend echoes): it only has to send its ClientHello.
        var tls = new System.Net.Security.SslStream(client.GetStream(), leaveInnerStreamOpen: true, (_, _, _, _) => true);
        var handshake = tls.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions { TargetHost = "secure.example.com" }, cts.Token);
        var mapped = (IPEndPoint)client.Client.LocalEndPoint!; // a dual-mode socket: ::ffff:127.0.0.1
        var local = new IPEndPoint(mapped.Address.MapToIPv4(), mapped.Port);
        await WaitUntilAsync(() => Task.FromResult(backend.Seen.Count == 1));
        client.Dispose();
        try { await handshake; }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException or ObjectDisposedException) { }
        tls.Dispose();
        var (source, rest) = backend.Seen.Single();
        Assert.Equal(local, source);
        Assert.Equal(0x16, rest[0]); // a TLS handshake record follows the header
    }

    /// <summary>A backend that parses a PROXY header first, records the source and the first bytes after it, then echoes.</summary>
    private sealed class ProxyProtocolBackend : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accept;

        public ProxyProtocolBackend()
        {
            _listener.Start();
            EndPoint = (IPEndPoint)_listener.LocalEndpoint;
            _accept = Task.Run(AcceptAsync);
        }

        public IPEndPoint EndPoint { get; }

        public ConcurrentQueue<(IPEndPoint? Source, string After)> Seen { get; } = new();

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _ = Task.Run(() => ServeAsync(client));
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using var _ = client;
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[ProxyHeaderParser.MaxV2Length];
                var length = 0;
                while (true)
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(length), _stop.Token);
                    if (n == 0) return;
                    length += n;
                    var status = ProxyHeaderParser.Parse(buffer.AsSpan(0, length), out var consumed, out var source);
                    if (status == ProxyHeaderStatus.Incomplete) continue;
                    if (status != ProxyHeaderStatus.Complete) { Seen.Enqueue((null, "invalid: " + status)); return; }
                    if (length == consumed) length += await stream.ReadAsync(buffer.AsMemory(length), _stop.Token);
                    Seen.Enqueue((source, Encoding.Latin1.GetString(buffer, consumed, length - consumed)));
                    await stream.WriteAsync(buffer.AsMemory(consumed, length - consumed), _stop.Token);
                    break;
                }
                var echo = new byte[4096];
                int read;
                while ((read = await stream.ReadAsync(echo, _stop.Token)) > 0) await stream.WriteAsync(echo.AsMemory(0, read), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException) { }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            await _accept.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _stop.Dispose();
        }
    }
}
