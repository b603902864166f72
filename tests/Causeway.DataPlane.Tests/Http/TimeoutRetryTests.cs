using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Http;

public sealed class TimeoutRetryTests : IAsyncLifetime
{
    private EchoBackend _a = null!;

    public async Task InitializeAsync() => _a = await EchoBackend.StartAsync("a");

    public async Task DisposeAsync() => await _a.DisposeAsync();

    private GatewayIr Single(HttpRuleIr rule, params BackendIr[] extra) =>
        Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", rule)))], [Backend("ns/a:80", _a), .. extra]);

    /// <summary>
    /// GET / over HTTP/1.1 (served by the event loop, which enforces timeouts and retries itself: asserted after) or
    /// HTTP/2 (the Kestrel pipeline).
    /// </summary>
    private static async Task<HttpResponseMessage> Get(TestGateway g, bool h2, params (string Name, string Value)[] headers)
    {
        var request = g.Request("h", "/");
        request.Version = h2 ? HttpVersion.Version20 : HttpVersion.Version11;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return await g.SendAsync(request);
    }

    private static void AssertTransport(TestGateway g, bool h2)
    {
        if (h2 || !Native.IsSupported) return;
        Assert.True(g.Plane.FastPath!.LoopRequests > 0);
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Request_timeout_answers_504(bool h2)
    {
        await using var g = await TestGateway.StartAsync(Single(To("ns/a:80") with { RequestTimeout = TimeSpan.FromMilliseconds(300) }));
        var sw = System.Diagnostics.Stopwatch.StartNew();
        using var r = await Get(g, h2, ("x-echo-delay-ms", "3000"));
        Assert.Equal(HttpStatusCode.GatewayTimeout, r.StatusCode);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), sw.Elapsed.ToString());
        using var ok = await Get(g, h2, ("x-echo-delay-ms", "10"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        AssertTransport(g, h2);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Backend_request_timeout_answers_504(bool h2)
    {
        await using var g = await TestGateway.StartAsync(Single(To("ns/a:80") with { BackendRequestTimeout = TimeSpan.FromMilliseconds(300) }));
        using var r = await Get(g, h2, ("x-echo-delay-ms", "3000"));
        Assert.Equal(HttpStatusCode.GatewayTimeout, r.StatusCode);
        AssertTransport(g, h2);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Retry_on_listed_status_until_success(bool h2)
    {
        var rule = To("ns/a:80") with { Retry = new RetryIr { Codes = new[] { 500 }, Attempts = 2, Backoff = TimeSpan.FromMilliseconds(10) } };
        await using var g = await TestGateway.StartAsync(Single(rule));
        var before = _a.RequestCount;
        // The backend fails its first N requests overall: make N = before + 2 so this request fails twice, then succeeds.
        using var r = await Get(g, h2, ("x-echo-fail-first", (before + 2).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(before + 3, _a.RequestCount);
        AssertTransport(g, h2);
    }

    [Theory]
    [InlineData(false, null, 300)] // HTTPRoute retry.backoff: every retry waits 100 ms
    [InlineData(true, null, 300)]
    [InlineData(false, 250, 550)] // BackendTrafficPolicy backOff: 100, 200, then 250 (the maximum) ms
    [InlineData(true, 250, 550)]
    public async Task Retries_wait_their_backoff_which_doubles_up_to_the_maximum_when_one_is_set(bool h2, int? maxMs, int totalMs)
    {
        var retry = new RetryIr
        {
            Codes = new[] { 500 },
            Attempts = 3,
            Backoff = TimeSpan.FromMilliseconds(100),
            MaxBackoff = maxMs is { } m ? TimeSpan.FromMilliseconds(m) : null,
        };
        await using var g = await TestGateway.StartAsync(Single(To("ns/a:80") with { Retry = retry }));
        var before = _a.RequestCount;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        using var r = await Get(g, h2, ("x-echo-fail-first", (before + 3).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        sw.Stop();
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(before + 4, _a.RequestCount);
        // The waits alone take totalMs; a constant back-off where doubling was asked would take 300 ms.
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(totalMs - 20), sw.Elapsed.ToString());
        Assert.True(sw.Elapsed < TimeSpan.FromMilliseconds(totalMs + 2000), sw.Elapsed.ToString());
        AssertTransport(g, h2);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Retry_gives_up_after_attempts(bool h2)
    {
        var rule = To("ns/a:80") with { Retry = new RetryIr { Codes = new[] { 503 }, Attempts = 1 } };
        await using var g = await TestGateway.StartAsync(Single(rule));
        var before = _a.RequestCount;
        using var r = await Get(g, h2, ("x-echo-status", "503"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
        Assert.Equal(before + 2, _a.RequestCount);
        AssertTransport(g, h2);
    }

    [Fact]
    public async Task Large_body_is_not_retried()
    {
        var rule = To("ns/a:80") with { Retry = new RetryIr { Codes = new[] { 500 }, Attempts = 3 } };
        await using var g = await TestGateway.StartAsync(Single(rule));
        var before = _a.RequestCount;
        var req = g.Request("h", "/", HttpMethod.Post);
        req.Headers.TryAddWithoutValidation("x-echo-status", "500");
        req.Content = new ByteArrayContent(new byte[200_000]);
        using var r = await g.SendAsync(req);
        Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);
        Assert.Equal(before + 1, _a.RequestCount);
    }

    [Fact]
    public async Task Small_body_is_buffered_and_replayed_on_retry()
    {
        var rule = To("ns/a:80") with { Retry = new RetryIr { Codes = new[] { 500 }, Attempts = 2 } };
        await using var g = await TestGateway.StartAsync(Single(rule));
        var before = _a.RequestCount;
        var req = g.Request("h", "/", HttpMethod.Post);
        req.Headers.TryAddWithoutValidation("x-echo-fail-first", (before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        req.Content = new ByteArrayContent(new byte[5000]);
        using var r = await g.SendAsync(req);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("5000", r.Headers.GetValues("x-echo-body-length").Single());
        Assert.Equal(before + 2, _a.RequestCount);
    }

    [Fact]
    public async Task No_retry_without_policy()
    {
        await using var g = await TestGateway.StartAsync(Single(To("ns/a:80")));
        var before = _a.RequestCount;
        using var r = await g.GetAsync("h", "/", ("x-echo-status", "500"));
        Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);
        Assert.Equal(before + 1, _a.RequestCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Retry_on_connection_error_reaches_healthy_endpoint(bool h2)
    {
        using var closed = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var deadPort = ((IPEndPoint)closed.LocalEndPoint!).Port; // bound, not listening: connection refused
        var rule = To("ns/mixed:80") with { Retry = new RetryIr { Codes = new[] { 503 }, Attempts = 2 } };
        await using var g = await TestGateway.StartAsync(Single(rule, Backend("ns/mixed:80", deadPort, _a.Port)));
        for (var i = 0; i < 6; i++)
        {
            using var r = await Get(g, h2);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
        AssertTransport(g, h2);
    }
}
