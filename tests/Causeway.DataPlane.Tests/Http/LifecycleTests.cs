using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Http;

public sealed class LifecycleTests
{
    [Fact]
    public async Task Connection_pool_is_shared_and_kept_across_applies_unless_backend_shape_changes()
    {
        await using var a = await EchoBackend.StartAsync("a");
        GatewayIr Gw(BackendIr backend) => Gateway("ns/gw", [HttpPort(Host("*",
                Prefix("/one", To("ns/a:80", "r1")),
                Prefix("/two", To("ns/a:80", "r2"))))], backend);
        await using var g = await TestGateway.StartAsync(Gw(Backend("ns/a:80", a)));
        var first = g.Plane.Pool.Current("ns/gw", "ns/a:80");
        Assert.NotNull(first);

        // Endpoint changes (and route changes) keep the pool.
        await g.ApplyAsync(Gw(Backend("ns/a:80", a.Port, a.Port)));
        Assert.Same(first, g.Plane.Pool.Current("ns/gw", "ns/a:80"));
        Assert.Equal("a", (await g.EchoAsync("h", "/two")).Name);

        // A protocol change gets a new pool.
        await g.ApplyAsync(Gw(Backend("ns/a:80", a, BackendProtocol.H2c)));
        Assert.NotSame(first, g.Plane.Pool.Current("ns/gw", "ns/a:80"));
    }

    [Fact]
    public async Task Dispose_drains_in_flight_requests()
    {
        await using var slow = await EchoBackend.StartAsync("slow", fixedDelay: TimeSpan.FromMilliseconds(700));
        var g = await TestGateway.StartAsync(Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/slow:80"))))], Backend("ns/slow:80", slow)));
        var inFlight = g.GetAsync("h", "/");
        await Task.Delay(200);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        await g.Plane.DisposeAsync();
        using var response = await inFlight;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), sw.Elapsed.ToString());
        using var probe = new System.Net.Sockets.TcpClient();
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, g.Port));
        g.Client.Dispose();
    }

    [Fact]
    public async Task Apply_after_dispose_throws()
    {
        var plane = new DataPlane(TestGateway.Options, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        await plane.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => plane.ApplyAsync([], CancellationToken.None));
    }
}
