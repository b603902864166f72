using System.Net;
using System.Net.WebSockets;
using System.Text;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Http;

public sealed class ProtocolTests
{
    [Fact]
    public async Task H2c_prior_knowledge_from_client_and_h2c_to_backend()
    {
        await using var h2 = await EchoBackend.StartAsync("h2", http2Only: true);
        await using var h1 = await EchoBackend.StartAsync("h1");
        var gw = Gateway("ns/gw", [HttpPort(Host("*",
                Prefix("/h2", To("ns/h2:80")),
                Prefix("/h1", To("ns/h1:80"))))],
            Backend("ns/h2:80", h2, BackendProtocol.H2c), Backend("ns/h1:80", h1));
        await using var g = await TestGateway.StartAsync(gw);

        var toH2 = await g.EchoAsync("h", "/h2");
        Assert.Equal("HTTP/2", toH2.Protocol);
        Assert.Equal("HTTP/1.1", (await g.EchoAsync("h", "/h1")).Protocol);

        var req = g.Request("h", "/h1");
        req.Version = HttpVersion.Version20;
        req.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using var r = await g.SendAsync(req);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(HttpVersion.Version20, r.Version);
        var echo = System.Text.Json.JsonSerializer.Deserialize<EchoReply>(await r.Content.ReadAsStringAsync())!;
        Assert.Equal("http", echo.Headers["x-forwarded-proto"]);
        Assert.Equal("h", echo.Host);
    }

    [Fact]
    public async Task Request_body_streams_to_backend()
    {
        await using var a = await EchoBackend.StartAsync("a");
        await using var g = await TestGateway.StartAsync(Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/a:80"))))], Backend("ns/a:80", a)));
        var req = g.Request("h", "/upload", HttpMethod.Post);
        req.Content = new StreamContent(new MemoryStream(new byte[300_000]));
        using var r = await g.SendAsync(req);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("300000", r.Headers.GetValues("x-echo-body-length").Single());
    }

    [Fact]
    public async Task Websocket_through_the_gateway_survives_reapply()
    {
        await using var ws = await EchoBackend.StartAsync("ws");
        var gw = Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/ws:80"))))], Backend("ns/ws:80", ws, BackendProtocol.WebSocket));
        await using var g = await TestGateway.StartAsync(gw);
        using var client = new ClientWebSocket();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{g.Port}/chat"), cts.Token);
        Assert.Equal("hello", await RoundTripAsync(client, "hello", cts.Token));

        // A re-apply with a different route table keeps the port, so the open WebSocket keeps working.
        var changed = Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/ws:80")), Prefix("/other", To("ns/ws:80", "r2"))))],
            Backend("ns/ws:80", ws, BackendProtocol.WebSocket));
        var report = await g.ApplyAsync(changed);
        Assert.Equal(g.Port, report.BoundPorts["ns/gw:0"]);
        Assert.Equal("still here", await RoundTripAsync(client, "still here", cts.Token));
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
    }

    private static async Task<string> RoundTripAsync(ClientWebSocket client, string text, CancellationToken ct)
    {
        await client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct);
        var buffer = new byte[1024];
        var r = await client.ReceiveAsync(buffer, ct);
        return Encoding.UTF8.GetString(buffer, 0, r.Count);
    }
}
