using System.Net;
using System.Net.Sockets;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>Cancelling <c>causeway run</c> (SIGTERM) with a slow request in flight.</summary>
public sealed class GracefulStopTests
{
    [Fact]
    public async Task InFlightRequestCompletesNewConnectionsAreRefusedAndRunReturnsZero()
    {
        var (echo, _) = await E2e.StartHttpEchoAsync("127.61.26.1");
        await using var _e = echo;
        await using var run = await CausewayRun.StartAsync("tke-01-httproute", 26, d => E2e.RetargetSlice(d, "backends.yaml", "nginx-local", "127.61.26.1"));
        using var client = E2e.Client(run.GatewayAddress);
        await E2e.GetEchoAsync(client, "http://test.example.com:8080/warm");

        using var slowClient = E2e.Client(run.GatewayAddress);
        var slow = slowClient.GetAsync("http://test.example.com:8080/slow?delay=5s");
        await Task.Delay(500);
        Assert.False(slow.IsCompleted);
        var stop = run.StopAsync(TimeSpan.FromSeconds(30));

        // New connections are refused soon after the stop, while the slow request is still running.
        await E2e.EventuallyAsync(async () =>
        {
            try
            {
                var (s, stream) = await E2e.ConnectAsync(run.GatewayAddress, 8080);
                await stream.DisposeAsync();
                return false;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                return true;
            }
        }, TimeSpan.FromSeconds(3), "connection refused after stop"); // well inside the slow request's 5 s, even on a busy machine
        Assert.False(slow.IsCompleted, "the slow request finished before new connections were refused");

        using var response = await slow.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("/slow?delay=5s", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await stop);
    }
}
