using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Backends;

/// <summary>
/// Envoy Gateway HTTPRouteFilter directResponse as a client sees it: status, body and content type from the gateway
/// itself, on the HTTP/1.1 event loop without hand-off and on HTTP/2 (Kestrel); the backend never sees the request.
/// </summary>
public sealed class DirectResponseFilterTests
{
    private static GatewayIr Gateway(EchoBackend echo)
    {
        var direct = new HttpRuleIr
        {
            Name = "httproute/ns/direct/rule/0",
            Filters = new([new HttpFilterIr { DirectResponse = new DirectResponseIr { Status = 503, Body = "Oops! Your request is not found.", ContentType = "text/plain" } }]),
        };
        var empty = new HttpRuleIr
        {
            Name = "httproute/ns/direct/rule/1",
            Filters = new([new HttpFilterIr { DirectResponse = new DirectResponseIr { Status = 204 } }]),
        };
        return Support.Ir.Gateway("ns/gw", [HttpPort(Host("*", Prefix("/inline", direct), Prefix("/empty", empty), Prefix("/echo", To("ns/e:80"))))],
            Backend("ns/e:80", echo));
    }

    [Fact]
    public async Task Event_loop_answers_the_direct_response_without_hand_off()
    {
        Assert.True(Native.IsSupported, "the event loop runs on Linux x86-64 and arm64; CI runs there");
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo));
        await using var c = await RawClient.ConnectAsync(g.Port);
        for (var i = 0; i < 2; i++)
        {
            await c.SendAsync("GET /inline/x HTTP/1.1\r\nHost: h\r\n\r\n");
            var r = await c.ReadResponseAsync();
            Assert.Equal(503, r.Status);
            Assert.Equal("text/plain", r.Header("content-type"));
            Assert.Equal("Oops! Your request is not found.", r.BodyText);
            Assert.Equal("32", r.Header("content-length"));
        }
        await c.SendAsync("GET /empty HTTP/1.1\r\nHost: h\r\n\r\n");
        var empty = await c.ReadResponseAsync();
        Assert.Equal(204, empty.Status);
        Assert.Empty(empty.Body);
        await c.SendAsync("GET /echo HTTP/1.1\r\nHost: h\r\n\r\n"); // the connection still serves
        Assert.Equal(200, (await c.ReadResponseAsync()).Status);

        Assert.Equal(4, g.Plane.FastPath!.LoopRequests);
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
        Assert.Equal(1, echo.RequestCount);
    }

    [Fact]
    public async Task Http2_gets_the_same_direct_response()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo));
        var req = g.Request("h", "/inline/y");
        req.Version = HttpVersion.Version20;
        req.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using var r = await g.SendAsync(req);
        Assert.Equal(HttpVersion.Version20, r.Version);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
        Assert.Equal("text/plain", r.Content.Headers.ContentType?.ToString());
        Assert.Equal("Oops! Your request is not found.", await r.Content.ReadAsStringAsync());
        Assert.Equal(0, echo.RequestCount);
    }
}
