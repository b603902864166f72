using System.Net;
using System.Net.Sockets;
using System.Text;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.L4.L4TestSupport;

namespace Causeway.DataPlane.Tests.L4;

public sealed class UdpL4Tests
{
    private static PortIr UdpPort(params (string? Id, int Weight)[] backends) =>
        Port(PortProtocol.Udp, Listener("gw/udp", Route("udproute/ns/r", null, backends)));

    private static UdpClient Client(int port)
    {
        var c = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        c.Connect(IPAddress.Loopback, port);
        return c;
    }

    private static async Task<byte[]?> ReceiveAsync(UdpClient client, TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        try { return (await client.ReceiveAsync(cts.Token)).Buffer; }
        catch (OperationCanceledException) { return null; }
    }

    [Fact]
    public async Task Several_Clients_Are_Isolated()
    {
        await using var backend = new TestUdpBackend();
        await using var server = await StartAsync(UdpPort(("u", 1)), Lookup(Backend("u", backend.EndPoint)));
        var clients = Enumerable.Range(0, 5).Select(_ => Client(server.BoundPort)).ToArray();
        try
        {
            for (var round = 0; round < 3; round++)
            {
                for (var i = 0; i < clients.Length; i++)
                    await clients[i].SendAsync(Encoding.ASCII.GetBytes($"client-{i}-round-{round}"));
                for (var i = 0; i < clients.Length; i++)
                {
                    var reply = await ReceiveAsync(clients[i], TestTimeout);
                    Assert.Equal($"client-{i}-round-{round}", Encoding.ASCII.GetString(reply!));
                }
            }
            Assert.Equal(5, backend.Sources.Count); // one upstream socket per client
            Assert.Equal(5, server.UdpSessions);
            Assert.Equal(5, server.Metrics.Snapshot().UdpSessionsCreated);
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    [Fact]
    public async Task Datagram_Boundaries_Preserved()
    {
        await using var backend = new TestUdpBackend();
        await using var server = await StartAsync(UdpPort(("u", 1)), Lookup(Backend("u", backend.EndPoint)));
        using var client = Client(server.BoundPort);
        int[] sizes = [1, 1000, 8000, 60000, 3];
        foreach (var size in sizes)
        {
            var payload = new byte[size];
            Random.Shared.NextBytes(payload);
            await client.SendAsync(payload);
            var reply = await ReceiveAsync(client, TestTimeout);
            Assert.Equal(payload, reply);
        }
    }

    [Fact]
    public async Task Idle_Session_Expires_Then_New_Session()
    {
        await using var backend = new TestUdpBackend();
        var options = FastOptions with { UdpIdleTimeout = TimeSpan.FromMilliseconds(1000) };
        await using var server = await StartAsync(UdpPort(("u", 1)), Lookup(Backend("u", backend.EndPoint)), options);
        using var client = Client(server.BoundPort);
        await client.SendAsync("one"u8.ToArray());
        Assert.NotNull(await ReceiveAsync(client, TestTimeout));
        Assert.Equal(1, server.UdpSessions);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (server.UdpSessions > 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(0, server.UdpSessions);

        await client.SendAsync("two"u8.ToArray());
        Assert.Equal("two", Encoding.ASCII.GetString((await ReceiveAsync(client, TestTimeout))!));
        var m = server.Metrics.Snapshot();
        Assert.Equal(2, m.UdpSessionsCreated);
        Assert.True(m.UdpSessionsExpired >= 1, m.ToString());
        Assert.Equal(2, backend.Sources.Count); // the new session has a new upstream socket
    }

    [Fact]
    public async Task Session_Table_Is_Bounded()
    {
        await using var backend = new TestUdpBackend();
        var options = FastOptions with { UdpMaxSessions = 2 };
        await using var server = await StartAsync(UdpPort(("u", 1)), Lookup(Backend("u", backend.EndPoint)), options);
        using var c1 = Client(server.BoundPort);
        using var c2 = Client(server.BoundPort);
        using var c3 = Client(server.BoundPort);
        await c1.SendAsync("1"u8.ToArray());
        Assert.NotNull(await ReceiveAsync(c1, TestTimeout));
        await c2.SendAsync("2"u8.ToArray());
        Assert.NotNull(await ReceiveAsync(c2, TestTimeout));
        await c3.SendAsync("3"u8.ToArray());
        Assert.Null(await ReceiveAsync(c3, TimeSpan.FromMilliseconds(500)));
        Assert.Equal(2, server.UdpSessions);
        Assert.True(server.Metrics.Snapshot().UdpDatagramsDropped >= 1);
        // Existing sessions are unaffected.
        await c1.SendAsync("1again"u8.ToArray());
        Assert.Equal("1again", Encoding.ASCII.GetString((await ReceiveAsync(c1, TestTimeout))!));
    }

    [Fact]
    public async Task Update_Routes_New_Sessions_To_New_Backend()
    {
        await using var a = new TestUdpBackend("A:");
        await using var b = new TestUdpBackend("B:");
        await using var server = await StartAsync(UdpPort(("a", 1)), Lookup(Backend("a", a.EndPoint)));
        using var c1 = Client(server.BoundPort);
        await c1.SendAsync("x"u8.ToArray());
        Assert.Equal("A:x", Encoding.ASCII.GetString((await ReceiveAsync(c1, TestTimeout))!));
        server.Update(UdpPort(("b", 1)), Lookup(Backend("b", b.EndPoint)));
        using var c2 = Client(server.BoundPort);
        await c2.SendAsync("y"u8.ToArray());
        Assert.Equal("B:y", Encoding.ASCII.GetString((await ReceiveAsync(c2, TestTimeout))!));
        await c1.SendAsync("z"u8.ToArray());
        Assert.Equal("A:z", Encoding.ASCII.GetString((await ReceiveAsync(c1, TestTimeout))!));
    }

    [Fact]
    public async Task No_Backend_Drops_Datagrams()
    {
        await using var server = await StartAsync(UdpPort((null, 1)), Lookup());
        using var client = Client(server.BoundPort);
        await client.SendAsync("x"u8.ToArray());
        Assert.Null(await ReceiveAsync(client, TimeSpan.FromMilliseconds(300)));
        Assert.Equal(0, server.UdpSessions);
        Assert.Equal(1, server.Metrics.Snapshot().UdpDatagramsDropped);
    }
}
