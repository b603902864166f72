using System.Net.Sockets;
using System.Text.Json.Nodes;
using Causeway.DataPlane.Telemetry.AccessLog;
using Causeway.DataPlane.Tests.EndToEnd;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.L4.L4TestSupport;

namespace Causeway.DataPlane.Tests.L4;

/// <summary>L4 connections log one access log line each: bytes both ways, the backend, and why a refused one ended.</summary>
public sealed class TcpAccessLogTests
{
    [Fact]
    public async Task Each_tcp_connection_is_one_line_with_its_bytes_and_backend_and_refusals_carry_a_flag()
    {
        await using var backend = new TestTcpBackend();
        var capture = new AccessLogCapture();
        await using var log = new AccessLogWriter(AccessLogFormat.Json, capture);
        var options = FastOptions with { AccessLog = log };
        var port = Port(PortProtocol.Tcp, Listener("ns/gw/tcp", Route("tcproute/ns/echo", null, ("ns/b:9", 1))));
        await using (var server = await StartAsync(port, Lookup(Backend("ns/b:9", backend.EndPoint)), options))
        {
            using (var client = await ConnectAsync(server))
            {
                var stream = client.GetStream();
                var payload = new byte[1000];
                await stream.WriteAsync(payload);
                var echoed = new byte[1000];
                await ReadExactlyAsync(stream, echoed, new CancellationTokenSource(TestTimeout).Token);
            }
            var line = JsonNode.Parse((await capture.WaitForLinesAsync(1)).Single())!;
            Assert.Equal("TCP", (string?)line["protocol"]);
            Assert.Equal(1000, (long)line["bytes_received"]!);
            Assert.Equal(1000, (long)line["bytes_sent"]!);
            Assert.Equal("ns/b:9", (string?)line["upstream_cluster"]);
            Assert.Equal(backend.EndPoint.ToString(), (string?)line["upstream_host"]);
            Assert.Equal("-", (string?)line["response_flags"]);
            Assert.StartsWith("127.0.0.1:", (string?)line["downstream_remote_address"]);
        }

        // A backend nobody listens on: the client is refused and the line says UF.
        var down = Port(PortProtocol.Tcp, Listener("ns/gw/tcp", Route("tcproute/ns/down", null, ("ns/down:9", 1))));
        await using (var server = await StartAsync(down, Lookup(Backend("ns/down:9", ClosedEndpoint())), options))
        {
            using var client = await ConnectAsync(server);
            Assert.True(await SeesCloseAsync(client.GetStream(), TestTimeout));
        }
        var lines = await capture.WaitForLinesAsync(2);
        var refused = JsonNode.Parse(lines[1])!;
        Assert.Equal("UF", (string?)refused["response_flags"]);
        Assert.Equal(0, (long)refused["bytes_sent"]!);
    }
}
