using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Policies.ClientTraffic.ClientTrafficIr;

namespace Causeway.DataPlane.Tests.Policies.ClientTraffic;

/// <summary>
/// ClientTrafficPolicy clientIPDetection through real sockets: the address detected from X-Forwarded-For (trusted hops,
/// trusted CIDRs) or a custom header is the client a rate limit's sourceCIDR counts, on the event loop without hand-off
/// and on HTTP/2; what the backend sees in X-Forwarded-For, with and without the append.
/// </summary>
public sealed class ClientIpDetectionTests
{
    private const string Xff = "203.0.113.128, 203.0.113.10, 203.0.113.1";

    [Fact]
    public async Task Trusted_hops_pick_the_nth_address_from_the_right_for_the_rate_limit_on_the_event_loop()
    {
        Assert.True(Native.IsSupported, "the event loop runs on Linux x86-64 and arm64; CI runs there");
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, Policy(Hops(2)), OneAnHourFor("203.0.113.10/32")));
        await using var c = await RawClient.ConnectAsync(g.Port);
        var statuses = new List<int>();
        foreach (var xff in new[] { Xff, Xff, "203.0.113.10, 203.0.113.99, 203.0.113.1", "203.0.113.10" })
        {
            await c.SendAsync($"GET /limited HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: {xff}\r\n\r\n");
            statuses.Add((await c.ReadResponseAsync()).Status);
        }
        // The EG example's client (203.0.113.10) once, then limited; 203.0.113.99 is another client; a single entry
        // is fewer than 2 hops, so the peer (127.0.0.1, outside the limit's CIDR) is the client.
        Assert.Equal([200, 429, 200, 200], statuses);
        var seen = echo.Received.First();
        Assert.Equal(Xff + ", 127.0.0.1", seen.Headers["x-forwarded-for"]); // the peer is appended, as Envoy does
        Assert.Equal(4, g.Plane.FastPath!.LoopRequests);
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
    }

    [Fact]
    public async Task Trusted_cidrs_skip_trusted_proxies_from_the_right_and_http2_counts_the_same_client()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, Policy(Cidrs("127.0.0.0/8", "10.0.0.0/8")), OneAnHourFor("198.51.100.7/32")));
        async Task<HttpStatusCode> Get(string xff, bool h2)
        {
            var req = g.Request("h", "/limited");
            req.Headers.TryAddWithoutValidation("X-Forwarded-For", xff);
            if (h2)
            {
                req.Version = HttpVersion.Version20;
                req.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            }
            using var r = await g.SendAsync(req);
            if (h2) Assert.Equal(HttpVersion.Version20, r.Version);
            return r.StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, await Get("198.51.100.7, 10.1.2.3", h2: false));
        Assert.Equal(HttpStatusCode.TooManyRequests, await Get("198.51.100.7, 10.9.9.9, 10.1.2.3", h2: true)); // same client over h2
        Assert.Equal(HttpStatusCode.OK, await Get("198.51.100.7, 198.51.100.8, 10.1.2.3", h2: true)); // rightmost untrusted is .8
        Assert.Equal(HttpStatusCode.TooManyRequests, await Get("198.51.100.7", h2: false));
    }

    [Fact]
    public async Task Untrusted_peers_stay_the_client_whatever_they_claim()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, Policy(Cidrs("10.0.0.0/8")), OneAnHourFor("198.51.100.7/32")));
        for (var i = 0; i < 3; i++)
        {
            using var r = await g.GetAsync("h", "/limited", ("X-Forwarded-For", "198.51.100.7"));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode); // 127.0.0.1 is not trusted: it is the client, not limited
        }
    }

    [Fact]
    public async Task Disabling_the_append_forwards_the_clients_header_unchanged_on_every_transport()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, Policy(Hops(1)) with { DisableXForwardedForAppend = true }));
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            await c.SendAsync("GET /a HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 192.0.2.1, 192.0.2.2\r\n\r\n");
            Assert.Equal(200, (await c.ReadResponseAsync()).Status);
            await c.SendAsync("GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
            Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        }
        var req = g.Request("h", "/c");
        req.Headers.TryAddWithoutValidation("X-Forwarded-For", "192.0.2.3");
        req.Version = HttpVersion.Version20;
        req.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using (var r = await g.SendAsync(req)) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var seen = echo.Received.ToDictionary(e => e.Path);
        Assert.Equal("192.0.2.1, 192.0.2.2", seen["/a"].Headers["x-forwarded-for"]);
        Assert.False(seen["/b"].Headers.ContainsKey("x-forwarded-for"));
        Assert.Equal("192.0.2.3", seen["/c"].Headers["x-forwarded-for"]);
    }

    [Fact]
    public async Task A_custom_header_names_the_client_and_fail_closed_answers_403_without_it()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var policy = Policy(new ClientIpDetectionIr { CustomHeader = "x-real-ip", FailClosed = true });
        await using var g = await TestGateway.StartAsync(Gateway(echo, policy, OneAnHourFor("192.0.2.50/32")));
        await using var c = await RawClient.ConnectAsync(g.Port);
        var statuses = new List<int>();
        foreach (var header in new[] { "X-Real-IP: 192.0.2.50\r\n", "X-Real-IP: 192.0.2.50\r\n", "X-Real-IP: 192.0.2.51\r\n", "", "X-Real-IP: nonsense\r\n" })
        {
            await c.SendAsync($"GET /limited HTTP/1.1\r\nHost: h\r\n{header}\r\n");
            statuses.Add((await c.ReadResponseAsync()).Status);
        }
        Assert.Equal([200, 429, 200, 403, 403], statuses);
        Assert.Equal(2, echo.RequestCount);
        Assert.Equal(0, g.Plane.FastPath!.LoopHandOffs);
    }
}
