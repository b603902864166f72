using System.Diagnostics;
using System.Text;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Http;

/// <summary>What the HTTP/1.1 fast path leaves to the Kestrel pipeline, config swaps, shutdown, and the off switch.</summary>
public sealed class FastPathHandOffTests
{
    [Fact]
    public async Task Websocket_upgrade_after_fast_requests_on_the_same_connection_is_handed_off()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(EchoGateway(echo, BackendProtocol.WebSocket));
        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        await c.SendAsync("GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        var upgrade = await c.ReadResponseAsync();
        Assert.Equal(101, upgrade.Status);
        // One masked text frame "hi"; the echo backend sends it back unmasked.
        await c.Stream.WriteAsync(new byte[] { 0x81, 0x82, 1, 2, 3, 4, (byte)('h' ^ 1), (byte)('i' ^ 2) });
        var frame = new byte[4];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await c.Stream.ReadExactlyAsync(frame, cts.Token);
        Assert.Equal("hi", Encoding.ASCII.GetString(frame, 2, 2));
        Assert.Equal(1, g.Plane.FastPath!.Requests);
        Assert.Equal(1, g.Plane.FastPath.HandOffs);
    }

    [Fact]
    public async Task H2c_prior_knowledge_and_kestrel_only_steps_go_to_the_full_pipeline_while_redirects_stay()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(EchoGateway(echo));
        var req = g.Request("h", "/a");
        req.Version = System.Net.HttpVersion.Version20;
        req.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using (var r = await g.SendAsync(req))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(System.Net.HttpVersion.Version20, r.Version);
        }
        Assert.Equal(0, g.Plane.FastPath!.Requests);
        Assert.Equal(1, g.Plane.FastPath.HandOffs);

        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        // A redirect is a decision every transport runs: answered by the fast path itself, no hand-off.
        await c.SendAsync("GET /redirect/x HTTP/1.1\r\nHost: h\r\n\r\n");
        var redirect = await c.ReadResponseAsync();
        Assert.Equal(301, redirect.Status);
        Assert.StartsWith("http://elsewhere.example", redirect.Header("location"));
        Assert.Equal(2, g.Plane.FastPath.Requests);
        Assert.Equal(1, g.Plane.FastPath.HandOffs);
        // A Host edit is a step only the Kestrel pipeline runs: the connection goes there, request bytes and all.
        await c.SendAsync("GET /rewrite/x HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Contains("\"/rewritten/x\"", (await c.ReadResponseAsync()).BodyText);
        // The connection now belongs to Kestrel and still proxies.
        await c.SendAsync("GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Contains("\"/b\"", (await c.ReadResponseAsync()).BodyText);
        Assert.Equal(2, g.Plane.FastPath.Requests);
        Assert.Equal(2, g.Plane.FastPath.HandOffs);
    }

    [Fact]
    public async Task Smuggling_shapes_and_oversized_heads_keep_their_answers()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(EchoGateway(echo));
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            await c.SendAsync("GET /ok HTTP/1.1\r\nHost: h\r\n\r\n");
            Assert.Equal(200, (await c.ReadResponseAsync()).Status);
            await c.SendAsync("POST /smuggle HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
            Assert.Equal(400, (await c.ReadResponseAsync()).Status);
        }
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            await c.SendAsync("GET /big HTTP/1.1\r\nHost: h\r\nX-Big: " + new string('a', 70 * 1024) + "\r\n\r\n");
            Assert.Equal(431, (await c.ReadResponseAsync()).Status);
        }
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            await c.SendAsync("GET /two HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");
            Assert.Equal(400, (await c.ReadResponseAsync()).Status);
        }
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            await c.SendAsync("GET /nohost HTTP/1.1\r\n\r\n");
            Assert.Equal(400, (await c.ReadResponseAsync()).Status);
        }
        Assert.DoesNotContain(echo.Received, r => r.Path is "/smuggle" or "/big" or "/two" or "/nohost");
        Assert.Equal(1, g.Plane.FastPath!.Requests);
        Assert.Equal(4, g.Plane.FastPath.HandOffs);
    }

    [Fact]
    public async Task Unmatched_requests_get_the_same_404()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway("ns/gw", [HttpPort(Host("only.example", Prefix("/", To("ns/e:80"))))], Backend("ns/e:80", echo)));
        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync("GET / HTTP/1.1\r\nHost: other.example\r\n\r\n");
        var r = await c.ReadResponseAsync();
        Assert.Equal(404, r.Status);
        Assert.Equal("0", r.Header("content-length"));
        // Routing is shared: the fast path answers the 404 itself instead of handing the connection on.
        Assert.Equal(0, g.Plane.FastPath!.HandOffs);
        Assert.Equal(1, g.Plane.FastPath.Requests);
    }

    [Fact]
    public async Task A_config_swap_applies_to_the_next_request_on_the_same_connection()
    {
        await using var a = await EchoBackend.StartAsync("a");
        await using var b = await EchoBackend.StartAsync("b");
        GatewayIr To_(string id, EchoBackend e) => Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To(id))))], Backend(id, e));
        await using var g = await TestGateway.StartAsync(To_("ns/a:80", a));
        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Contains("\"Name\":\"a\"", (await c.ReadResponseAsync()).BodyText);
        Assert.Empty((await g.ApplyAsync(To_("ns/b:80", b))).ListenerFailures);
        await c.SendAsync("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Contains("\"Name\":\"b\"", (await c.ReadResponseAsync()).BodyText);
        Assert.Equal(2, g.Plane.FastPath!.Requests);
    }

    [Fact]
    public async Task Disabled_fast_path_serves_everything_through_the_full_pipeline()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { Http1FastPath = false }, EchoGateway(echo));
        Assert.Null(g.Plane.FastPath);
        var reply = await g.EchoAsync("h", "/x");
        Assert.Equal("/x", reply.Path);
        Assert.Equal("http", reply.Headers["x-forwarded-proto"]);
    }

    [Fact]
    public async Task Stopping_closes_idle_fast_path_connections_without_waiting_for_the_drain_timeout()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var g = await TestGateway.StartAsync(TestGateway.Options with { DrainTimeout = TimeSpan.FromSeconds(10) }, EchoGateway(echo));
        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        var sw = Stopwatch.StartNew();
        await g.DisposeAsync();
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"stop took {sw.Elapsed}");
        Assert.True(await c.IsClosedAsync(TimeSpan.FromSeconds(5)));
    }
}
