using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.L4.L4TestSupport;

namespace Causeway.DataPlane.Tests.L4;

public sealed class TcpL4Tests
{
    private static PortIr TcpPort(params (string? Id, int Weight)[] backends) =>
        Port(PortProtocol.Tcp, Listener("gw/tcp", Route("tcproute/ns/r", null, backends)));

    [Fact]
    public async Task Echo_10MB_Payload_Integrity()
    {
        await using var backend = new TestTcpBackend();
        await using var server = await StartAsync(TcpPort(("b", 1)), Lookup(Backend("b", backend.EndPoint)));
        using var client = await ConnectAsync(server);
        var stream = client.GetStream();
        var payload = RandomNumberGenerator.GetBytes(10 * 1024 * 1024);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var send = Task.Run(async () =>
        {
            for (var off = 0; off < payload.Length; off += 100_000)
                await stream.WriteAsync(payload.AsMemory(off, Math.Min(100_000, payload.Length - off)), cts.Token);
            client.Client.Shutdown(SocketShutdown.Send);
        });
        var received = await ReadToEndAsync(stream, cts.Token);
        await send;
        Assert.Equal(payload.Length, received.Length);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(received));
        var m = server.Metrics.Snapshot();
        Assert.True(m.BytesFromClients >= payload.Length && m.BytesToClients >= payload.Length);
    }

    [Fact]
    public async Task Fifty_Concurrent_Connections()
    {
        await using var backend = new TestTcpBackend();
        await using var server = await StartAsync(TcpPort(("b", 1)), Lookup(Backend("b", backend.EndPoint)));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var tasks = Enumerable.Range(0, 50).Select(async i =>
        {
            using var client = await ConnectAsync(server);
            var stream = client.GetStream();
            var payload = RandomNumberGenerator.GetBytes(64 * 1024 + i);
            var send = stream.WriteAsync(payload, cts.Token).AsTask();
            var back = new byte[payload.Length];
            await stream.ReadExactlyAsync(back, cts.Token);
            await send;
            Assert.Equal(payload, back);
        });
        await Task.WhenAll(tasks);
        Assert.Equal(50, backend.Accepted);
        Assert.Equal(50, server.Metrics.Snapshot().ConnectionsAccepted);
    }

    [Fact]
    public async Task HalfClose_Client_Shuts_Send_And_Still_Receives()
    {
        await using var backend = new TestTcpBackend(trailer: "AFTER-EOF");
        await using var server = await StartAsync(TcpPort(("b", 1)), Lookup(Backend("b", backend.EndPoint)));
        using var client = await ConnectAsync(server);
        var stream = client.GetStream();
        using var cts = new CancellationTokenSource(TestTimeout);
        await stream.WriteAsync("hello"u8.ToArray(), cts.Token);
        client.Client.Shutdown(SocketShutdown.Send);
        var all = Encoding.ASCII.GetString(await ReadToEndAsync(stream, cts.Token));
        // The backend only writes the trailer after it saw our FIN through the proxy.
        Assert.Equal("helloAFTER-EOF", all);
    }

    [Fact]
    public async Task Backend_Unreachable_Client_Closed_Promptly()
    {
        var closed = ClosedEndpoint();
        await using var server = await StartAsync(TcpPort(("b", 1)), Lookup(Backend("b", closed)));
        using var client = await ConnectAsync(server);
        var started = Environment.TickCount64;
        Assert.True(await SeesCloseAsync(client.GetStream(), TimeSpan.FromSeconds(2)));
        Assert.True(Environment.TickCount64 - started < 2000);
        Assert.Equal(1, server.Metrics.Snapshot().BackendConnectFailures);
    }

    [Fact]
    public async Task Invalid_Backend_Reference_Or_No_Endpoints_Refused()
    {
        await using var server = await StartAsync(TcpPort((null, 1)), Lookup());
        using (var client = await ConnectAsync(server))
            Assert.True(await SeesCloseAsync(client.GetStream(), TimeSpan.FromSeconds(2)));
        server.Update(TcpPort(("empty", 1)), Lookup(Backend("empty")));
        using (var client = await ConnectAsync(server))
            Assert.True(await SeesCloseAsync(client.GetStream(), TimeSpan.FromSeconds(2)));
        Assert.Equal(2, server.Metrics.Snapshot().ConnectionsRefused);
    }

    [Fact]
    public async Task Weights_Zero_Never_Chosen()
    {
        await using var a = new TestTcpBackend(banner: "A");
        await using var b = new TestTcpBackend(banner: "B");
        await using var server = await StartAsync(TcpPort(("a", 0), ("b", 1)),
            Lookup(Backend("a", a.EndPoint), Backend("b", b.EndPoint)));
        using var cts = new CancellationTokenSource(TestTimeout);
        for (var i = 0; i < 10; i++)
        {
            using var client = await ConnectAsync(server);
            Assert.Equal("B", await ReadLineAsync(client.GetStream(), cts.Token));
        }
        Assert.Equal(0, a.Accepted);
    }

    [Fact]
    public async Task Weights_Split_Between_Backends_And_Endpoints_RoundRobin()
    {
        await using var a1 = new TestTcpBackend(banner: "A1");
        await using var a2 = new TestTcpBackend(banner: "A2");
        await using var b = new TestTcpBackend(banner: "B");
        await using var server = await StartAsync(TcpPort(("a", 1), ("b", 1)),
            Lookup(Backend("a", a1.EndPoint, a2.EndPoint), Backend("b", b.EndPoint)));
        using var cts = new CancellationTokenSource(TestTimeout);
        var seen = new Dictionary<string, int>();
        for (var i = 0; i < 60; i++)
        {
            using var client = await ConnectAsync(server);
            var name = await ReadLineAsync(client.GetStream(), cts.Token);
            seen[name] = seen.GetValueOrDefault(name) + 1;
        }
        Assert.True(seen.GetValueOrDefault("B") is > 10 and < 50, string.Join(",", seen));
        Assert.True(Math.Abs(seen.GetValueOrDefault("A1") - seen.GetValueOrDefault("A2")) <= 1, string.Join(",", seen));
    }

    [Fact]
    public async Task Update_Swaps_Backends_While_Old_Connections_Continue()
    {
        await using var a = new TestTcpBackend(banner: "A");
        await using var b = new TestTcpBackend(banner: "B");
        await using var server = await StartAsync(TcpPort(("a", 1)), Lookup(Backend("a", a.EndPoint)));
        using var cts = new CancellationTokenSource(TestTimeout);
        using var old = await ConnectAsync(server);
        var oldStream = old.GetStream();
        Assert.Equal("A", await ReadLineAsync(oldStream, cts.Token));

        server.Update(TcpPort(("b", 1)), Lookup(Backend("b", b.EndPoint)));

        using var fresh = await ConnectAsync(server);
        Assert.Equal("B", await ReadLineAsync(fresh.GetStream(), cts.Token));
        await oldStream.WriteAsync("still-here"u8.ToArray(), cts.Token);
        var back = new byte[10];
        await oldStream.ReadExactlyAsync(back, cts.Token);
        Assert.Equal("still-here", Encoding.ASCII.GetString(back));
    }

    [Fact]
    public async Task Idle_Connection_Closed_After_Timeout()
    {
        await using var backend = new TestTcpBackend();
        var options = FastOptions with { TcpIdleTimeout = TimeSpan.FromMilliseconds(400) };
        await using var server = await StartAsync(TcpPort(("b", 1)), Lookup(Backend("b", backend.EndPoint)), options);
        using var client = await ConnectAsync(server);
        var stream = client.GetStream();
        using var cts = new CancellationTokenSource(TestTimeout);
        await stream.WriteAsync("x"u8.ToArray(), cts.Token);
        Assert.Equal((byte)'x', (await ReadBytes(stream, 1, cts.Token))[0]);
        Assert.True(await SeesCloseAsync(stream, TimeSpan.FromSeconds(3)));
        Assert.Equal(1, server.Metrics.Snapshot().ConnectionsIdleClosed);
    }

    [Fact]
    public async Task Dispose_Closes_Connections_And_Stops_Accepting()
    {
        await using var backend = new TestTcpBackend();
        var server = await StartAsync(TcpPort(("b", 1)), Lookup(Backend("b", backend.EndPoint)));
        using var client = await ConnectAsync(server);
        using var cts = new CancellationTokenSource(TestTimeout);
        await client.GetStream().WriteAsync("x"u8.ToArray(), cts.Token);
        await ReadBytes(client.GetStream(), 1, cts.Token);
        var port = server.BoundPort;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        await server.DisposeAsync();
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3));
        Assert.True(await SeesCloseAsync(client.GetStream(), TimeSpan.FromSeconds(2)));
        using var again = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(async () =>
            await again.ConnectAsync(System.Net.IPAddress.Loopback, port, cts.Token));
    }

    [Fact]
    public async Task Bind_Conflict_Throws_SocketException()
    {
        await using var server = await StartAsync(TcpPort(("b", 1)), Lookup());
        var taken = TcpPort(("b", 1)) with { Port = server.BoundPort };
        await Assert.ThrowsAnyAsync<SocketException>(() => StartAsync(taken, Lookup()));
    }

    private static async Task<byte[]> ReadBytes(Stream s, int n, CancellationToken ct)
    {
        var b = new byte[n];
        await s.ReadExactlyAsync(b, ct);
        return b;
    }
}
