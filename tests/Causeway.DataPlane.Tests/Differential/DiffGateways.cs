using System.Net;
using System.Net.Sockets;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Differential;

/// <summary>
/// One raw backend and three gateways serving the same IR, one per <see cref="Transport"/>. Shared by the differential
/// test classes (one collection, so cases run one at a time: each resets the backend's script and record).
/// </summary>
public sealed class DiffGateways : IAsyncLifetime
{
    private readonly Dictionary<Transport, TestGateway> _gateways = [];

    public DiffBackend Backend { get; } = new();

    public int Port(Transport t) => _gateways[t].Port;

    public TestGateway Gateway(Transport t) => _gateways[t];

    public async Task InitializeAsync()
    {
        var ir = DiffRoutes.Build(Backend.Port, RefusedPort());
        _gateways[Transport.EventLoop] = await TestGateway.StartAsync(ir);
        _gateways[Transport.KestrelRelay] = await TestGateway.StartAsync(TestGateway.Options with { Http1EventLoop = false }, ir);
        _gateways[Transport.Yarp] = await TestGateway.StartAsync(TestGateway.Options with { Http1FastPath = false }, ir);
    }

    /// <summary>A port that was free a moment ago: connecting to it is refused.</summary>
    private static int RefusedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async Task DisposeAsync()
    {
        foreach (var g in _gateways.Values) await g.DisposeAsync();
        await Backend.DisposeAsync();
    }
}
