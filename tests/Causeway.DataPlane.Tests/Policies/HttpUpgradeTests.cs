using System.Net.WebSockets;
using System.Text;
using Causeway.DataPlane.Tests.Support;
using Causeway.Model;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies;

/// <summary>
/// BackendTrafficPolicy <c>httpUpgrade</c>: without it a rule forwards websocket upgrades only; with it, only the listed
/// types; a requestBuffer policy without it forwards none. Refused upgrades get Envoy's 403 and never reach the backend.
/// </summary>
public sealed class HttpUpgradeTests
{
    private static BackendTrafficPolicyIr Upgrades(params string[] types) =>
        new() { Policy = "ns/upgrade", HttpUpgrade = new HttpUpgradeIr { Types = new EquatableArray<string>(types) } };

    private static async Task<(TestGateway Gateway, EchoBackend Echo, RawBackend Raw)> StartAsync()
    {
        var echo = await EchoBackend.StartAsync("ws");
        var raw = UpgradeBackend();
        var custom = Upgrades("foo/1", "spdy/3.1");
        var gw = Gateway("ns/gw", [HttpPort(Host("*",
                Prefix("/default-raw", To("ns/raw:80", "httproute/ns/default-raw/rule/0")),
                Prefix("/default", To("ns/ws:80", "httproute/ns/default/rule/0")),
                Prefix("/custom-ws", To("ns/ws:80", "httproute/ns/custom-ws/rule/0") with { BackendTraffic = custom }),
                Prefix("/custom", To("ns/raw:80", "httproute/ns/custom/rule/0") with { BackendTraffic = custom }),
                Prefix("/buffered", To("ns/ws:80", "httproute/ns/buffered/rule/0") with { BackendTraffic = new() { Policy = "ns/buffer", RequestBufferLimit = 1024 } })))],
            Backend("ns/ws:80", echo, BackendProtocol.WebSocket), Backend("ns/raw:80", raw.Port));
        return (await TestGateway.StartAsync(gw), echo, raw);
    }

    [Fact]
    public async Task Without_a_policy_websocket_is_forwarded_and_another_upgrade_gets_403()
    {
        var (g, echo, raw) = await StartAsync();
        await using var _ = g;
        await using var __ = echo;
        await using var ___ = raw;

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{g.Port}/default"), cts.Token);
        Assert.Equal("hi", await RoundTripAsync(ws, "hi", cts.Token));
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);

        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync("GET /default-raw HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: spdy/3.1\r\n\r\n");
        Assert.Equal(403, (await c.ReadResponseAsync()).Status);
        Assert.Equal(0, raw.Connections);
    }

    [Fact]
    public async Task A_listed_custom_upgrade_relays_bytes_both_ways_with_a_raw_tcp_backend()
    {
        var (g, echo, raw) = await StartAsync();
        await using var _ = g;
        await using var __ = echo;
        await using var ___ = raw;

        await using var c = await RawClient.ConnectAsync(g.Port);
        // Types compare case-insensitively, as Envoy compares them.
        await c.SendAsync("GET /custom HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: FOO/1\r\n\r\n");
        var switched = await c.ReadResponseAsync();
        Assert.True(switched.Status == 101, switched.StatusLine + " backend got: " + string.Join("|", raw.Requests));
        Assert.Equal("FOO/1", switched.Header("upgrade"));
        Assert.Equal("hello from the backend\n", Encoding.ASCII.GetString(await c.ReadBytesAsync(23)));
        for (var i = 0; i < 3; i++)
        {
            var line = $"ping {i} " + new string('x', 3000 * i) + "\n";
            await c.SendAsync(line);
            Assert.Equal(line.ToUpperInvariant(), Encoding.ASCII.GetString(await c.ReadBytesAsync(line.Length)));
        }
        Assert.Contains(raw.Requests, h => h.StartsWith("GET /custom HTTP/1.1", StringComparison.Ordinal) && h.Contains("Upgrade: FOO/1", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_policy_listing_other_types_refuses_websocket_and_a_buffering_policy_refuses_every_upgrade()
    {
        var (g, echo, raw) = await StartAsync();
        await using var _ = g;
        await using var __ = echo;
        await using var ___ = raw;

        foreach (var path in new[] { "/custom-ws", "/buffered" })
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            using var ws = new ClientWebSocket();
            var refused = await Assert.ThrowsAsync<WebSocketException>(() => ws.ConnectAsync(new Uri($"ws://127.0.0.1:{g.Port}{path}"), cts.Token));
            Assert.Contains("403", refused.Message, StringComparison.Ordinal);
        }
        Assert.Empty(echo.Received);

        // A request without an upgrade is served as usual on those rules.
        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync("GET /custom-ws HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Equal(200, (await c.ReadResponseAsync()).Status);
    }

    [Fact]
    public async Task A_connect_request_gets_403_as_Envoy_answers_an_upgrade_it_has_no_config_for()
    {
        var (g, echo, raw) = await StartAsync();
        await using var _ = g;
        await using var __ = echo;
        await using var ___ = raw;

        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
        Assert.Equal(403, (await c.ReadResponseAsync()).Status);
        Assert.Equal(0, raw.Connections);
        Assert.Empty(echo.Received);
    }

    private static async Task<string> RoundTripAsync(ClientWebSocket client, string text, CancellationToken ct)
    {
        await client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct);
        var buffer = new byte[1024];
        var r = await client.ReceiveAsync(buffer, ct);
        return Encoding.UTF8.GetString(buffer, 0, r.Count);
    }

    /// <summary>
    /// A raw backend on 127.0.0.1:0 that accepts any upgrade: it answers 101 with the requested type, sends a greeting
    /// line, then echoes every byte it reads upper-cased.
    /// </summary>
    private static RawBackend UpgradeBackend() => new(head =>
    {
        var type = head.Split("\r\n").First(l => l.StartsWith("upgrade:", StringComparison.OrdinalIgnoreCase))[8..].Trim();
        return ($"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: {type}\r\n\r\nhello from the backend\n", false);
    })
    {
        Upgraded = async (stream, early, ct) =>
        {
            async Task EchoUpperAsync(byte[] bytes, int count)
            {
                for (var i = 0; i < count; i++) bytes[i] = (byte)char.ToUpperInvariant((char)bytes[i]);
                await stream.WriteAsync(bytes.AsMemory(0, count), ct);
            }
            if (early.Length > 0) await EchoUpperAsync(early, early.Length);
            var buffer = new byte[8192];
            int n;
            while ((n = await stream.ReadAsync(buffer, ct)) > 0) await EchoUpperAsync(buffer, n);
        },
    };
}
