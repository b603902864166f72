using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Policies.ClientTraffic.ClientTrafficIr;

namespace Causeway.DataPlane.Tests.Policies.ClientTraffic;

/// <summary>
/// ClientTrafficPolicy headers and healthCheck through real sockets: x-request-id generated, preserved or removed as
/// the backend sees it, headers with underscores refused or dropped, and the listener's own health check answer, on
/// the event loop (no hand-off) and on HTTP/2.
/// </summary>
public sealed class ListenerHeaderPolicyTests
{
    private static async Task<RawResponse> Send(RawClient c, string path, string headers = "")
    {
        await c.SendAsync($"GET {path} HTTP/1.1\r\nHost: h\r\n{headers}\r\n");
        return await c.ReadResponseAsync();
    }

    private static async Task<HttpResponseMessage> SendH2(TestGateway g, string path, params (string, string)[] headers)
    {
        var req = g.Request("h", path);
        foreach (var (n, v) in headers) req.Headers.TryAddWithoutValidation(n, v);
        req.Version = HttpVersion.Version20;
        req.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        var r = await g.SendAsync(req);
        Assert.Equal(HttpVersion.Version20, r.Version);
        return r;
    }

    [Theory]
    [InlineData(RequestIdMode.Generate, "new", "new")]
    [InlineData(RequestIdMode.PreserveOrGenerate, "client", "new")]
    [InlineData(RequestIdMode.Preserve, "client", "none")]
    [InlineData(RequestIdMode.Disable, "none", "none")]
    public async Task Request_ids_reach_the_backend_as_the_mode_says(RequestIdMode mode, string withClientId, string withoutClientId)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, Policy() with { RequestId = mode }));
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            Assert.Equal(200, (await Send(c, "/with", "X-Request-Id: abc-123\r\n")).Status);
            Assert.Equal(200, (await Send(c, "/without")).Status);
        }
        Assert.Equal(0, g.Plane.FastPath!.LoopHandOffs); // HTTP/2 (h2c) connections are handed to Kestrel: counted after
        using (var r = await SendH2(g, "/h2-with", ("x-request-id", "abc-123"))) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await SendH2(g, "/h2-without")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var seen = echo.Received.ToDictionary(e => e.Path, e => e.Headers.GetValueOrDefault("x-request-id"));
        void Check(string expected, string? actual)
        {
            switch (expected)
            {
                case "client": Assert.Equal("abc-123", actual); break;
                case "none": Assert.Null(actual); break;
                default: Assert.True(Guid.TryParse(actual, out _), $"'{actual}' is not a generated UUID"); break;
            }
        }
        Check(withClientId, seen["/with"]);
        Check(withoutClientId, seen["/without"]);
        Check(withClientId, seen["/h2-with"]);
        Check(withoutClientId, seen["/h2-without"]);
        if (withoutClientId == "new") Assert.NotEqual(seen["/without"], seen["/h2-without"]);
    }

    [Fact]
    public async Task Headers_with_underscores_are_refused_or_dropped()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, Policy() with { WithUnderscores = UnderscoresAction.RejectRequest }));
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            Assert.Equal(400, (await Send(c, "/x", "x_user: a\r\n")).Status);
        }
        Assert.Equal(0, g.Plane.FastPath!.LoopHandOffs);
        using (var r = await SendH2(g, "/x", ("x_user", "a"))) Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Equal(0, echo.RequestCount);

        await g.ApplyAsync(Gateway(echo, Policy() with { WithUnderscores = UnderscoresAction.DropHeader }));
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            Assert.Equal(200, (await Send(c, "/loop", "x_user: a\r\nx-user: b\r\n")).Status);
        }
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs); // the h2c connection above was the loop's too
        using (var r = await SendH2(g, "/h2", ("x_user", "a"), ("x-user", "b"))) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        foreach (var e in echo.Received)
        {
            Assert.False(e.Headers.ContainsKey("x_user"), e.Path);
            Assert.Equal("b", e.Headers["x-user"]);
        }
    }

    [Fact]
    public async Task The_health_check_path_is_answered_by_the_listener_itself()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, Policy() with { HealthCheckPath = "/ready" }));
        await using (var c = await RawClient.ConnectAsync(g.Port))
        {
            var r = await Send(c, "/ready");
            Assert.Equal(200, r.Status);
            Assert.Empty(r.Body);
            Assert.Equal(200, (await Send(c, "/ready/not")).Status); // an ordinary request, to the backend
        }
        Assert.Equal(2, g.Plane.FastPath!.LoopRequests);
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
        using (var r = await SendH2(g, "/ready")) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(["/ready/not"], echo.Received.Select(e => e.Path));
    }
}
