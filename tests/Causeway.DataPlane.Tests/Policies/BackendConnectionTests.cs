using System.Net;
using System.Net.Sockets;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies;

/// <summary>
/// BackendTrafficPolicy <c>timeout.tcp.connectTimeout</c> on HTTP backends (carried by <see cref="BackendIr.Connection"/>),
/// through real sockets on the event loop and on the Kestrel pipeline: a backend whose accept queue is full never
/// answers the connect, and the policy's timeout (not the data plane's 10 s) decides when the client gets its 503.
/// </summary>
public sealed class BackendConnectionTests
{
    /// <summary>A listener with a full accept queue: the kernel drops further SYNs, so connecting hangs.</summary>
    private sealed class SilentBackend : IAsyncDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly List<Socket> _fillers = [];

        public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

        public static async Task<SilentBackend> StartAsync()
        {
            var s = new SilentBackend();
            s._listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            s._listener.Listen(0);
            for (var i = 0; i < 3; i++)
            {
                var f = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                s._fillers.Add(f);
                using var fill = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
                try { await f.ConnectAsync(s._listener.LocalEndPoint!, fill.Token); }
                catch (OperationCanceledException) { }
            }
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await probe.ConnectAsync(s._listener.LocalEndPoint!, wait.Token));
            return s;
        }

        public ValueTask DisposeAsync()
        {
            foreach (var f in _fillers) f.Dispose();
            _listener.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_policys_connect_timeout_answers_503_before_the_data_planes(bool fastPath)
    {
        await using var silent = await SilentBackend.StartAsync();
        var backend = Backend("ns/silent:80", silent.Port) with { Connection = new BackendConnectionIr { ConnectTimeout = TimeSpan.FromMilliseconds(300) } };
        var gw = Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/silent:80"))))], backend);
        var options = TestGateway.Options with { BackendConnectTimeout = TimeSpan.FromSeconds(10), Http1FastPath = fastPath };
        await using var g = await TestGateway.StartAsync(options, gw);
        await using var c = await RawClient.ConnectAsync(g.Port);
        var started = Environment.TickCount64;
        await c.SendAsync("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        var r = await c.ReadResponseAsync();
        var elapsed = Environment.TickCount64 - started;
        Assert.Equal(503, r.Status);
        Assert.InRange(elapsed, 200, 5000);
    }
}
