using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>
/// examples/eg-policies/proxy-protocol through <c>causeway run</c>: a client that sends a PROXY v1 header before its
/// HTTP request is seen as the address in the header (X-Forwarded-For at the backend, the access log); one without a
/// header is closed; the fourth connection at once is over the policy's connection limit.
/// </summary>
public sealed class ProxyProtocolExampleTests
{
    [Fact]
    public async Task ProxyProtocolExampleNamesTheClientFromTheHeaderAndLimitsConnections()
    {
        var (echo, _) = await E2e.StartHttpEchoAsync("127.61.42.1", "echo-pod");
        await using var _e = echo;
        await using var run = await CausewayRun.StartAsync("eg-policies/proxy-protocol", 42, d => E2e.RetargetSlice(d, "backends.yaml", "proxied-echo-local", "127.61.42.1"));
        var gateway = run.GatewayAddress;

        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(gateway, 8082, ct);
                var stream = new NetworkStream(socket, ownsSocket: true);
                await stream.WriteAsync(Encoding.ASCII.GetBytes("PROXY TCP4 198.51.100.23 192.0.2.1 51234 8082\r\n"), ct);
                return stream;
            },
        };
        using (var client = new HttpClient(handler) { Timeout = E2e.Timeout })
        {
            var echoed = await E2e.GetEchoAsync(client, "http://proxied.example:8082/who");
            Assert.Equal(["198.51.100.23"], E2e.EchoHeader(echoed, "x-forwarded-for"));
        }
        var lines = await run.AccessLog.WaitForLinesAsync(1);
        var entry = JsonNode.Parse(lines.Single(l => l.Contains("/who", StringComparison.Ordinal)))!;
        Assert.Equal("198.51.100.23:51234", (string?)entry["downstream_remote_address"]);

        // Without the header: closed, nothing answered.
        var (plainSocket, plain) = await E2e.ConnectAsync(gateway, 8082);
        using (plainSocket)
        {
            await plain.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: proxied.example\r\n\r\n"));
            Assert.Equal("", await E2e.ReadAllAsync(plain, E2e.Timeout));
        }

        // Three connections held open (each past its header and one request), the fourth is closed at accept.
        var held = new List<Socket>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var (s, stream) = await E2e.ConnectAsync(gateway, 8082);
                held.Add(s);
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"PROXY TCP4 198.51.100.{30 + i} 192.0.2.1 1000 8082\r\nGET /held HTTP/1.1\r\nHost: proxied.example\r\n\r\n"));
                var buffer = new byte[64];
                using var cts = new CancellationTokenSource(E2e.Timeout);
                var n = await stream.ReadAsync(buffer, cts.Token);
                Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(buffer, 0, n));
            }
            var (fourthSocket, fourth) = await E2e.ConnectAsync(gateway, 8082);
            using (fourthSocket)
            {
                await fourth.WriteAsync(Encoding.ASCII.GetBytes("PROXY TCP4 198.51.100.40 192.0.2.1 1000 8082\r\nGET /over HTTP/1.1\r\nHost: proxied.example\r\n\r\n"));
                Assert.Equal("", await E2e.ReadAllAsync(fourth, E2e.Timeout));
            }
        }
        finally
        {
            foreach (var s in held) s.Dispose();
        }

        var (exit, output, _) = await run.StatusCommandAsync("-A");
        Assert.Equal(0, exit);
        Assert.Matches(@"(?m)^test\s+behind-load-balancer\s+ClientTrafficPolicy\s+Gateway test/proxy-protocol-gw\s+True\s", output);
        Assert.Equal(0, await run.StopAsync());
    }
}
