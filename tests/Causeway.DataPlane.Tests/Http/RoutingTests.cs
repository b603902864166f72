using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Http;

public sealed class RoutingTests : IAsyncLifetime
{
    private EchoBackend _a = null!;
    private EchoBackend _b = null!;
    private EchoBackend _c = null!;

    public async Task InitializeAsync()
    {
        _a = await EchoBackend.StartAsync("a");
        _b = await EchoBackend.StartAsync("b");
        _c = await EchoBackend.StartAsync("c");
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _c.DisposeAsync();
    }

    private BackendIr[] Backends => [Backend("ns/a:80", _a), Backend("ns/b:80", _b), Backend("ns/c:80", _c)];

    [Fact]
    public async Task Host_routing_exact_over_wildcard_over_catch_all()
    {
        var gw = Gateway("ns/gw", [HttpPort(
            Host("foo.example.com", Prefix("/", To("ns/a:80"))),
            Host("*.example.com", Prefix("/", To("ns/b:80"))),
            Host("*", Prefix("/", To("ns/c:80"))))], Backends);
        await using var g = await TestGateway.StartAsync(gw);

        Assert.Equal("a", (await g.EchoAsync("foo.example.com", "/")).Name);
        Assert.Equal("a", (await g.EchoAsync("FOO.example.com:1234", "/")).Name);
        Assert.Equal("b", (await g.EchoAsync("bar.example.com", "/")).Name);
        Assert.Equal("b", (await g.EchoAsync("x.y.example.com", "/")).Name);
        Assert.Equal("c", (await g.EchoAsync("example.com", "/")).Name);
        Assert.Equal("c", (await g.EchoAsync("other.org", "/")).Name);
    }

    [Fact]
    public async Task Longest_wildcard_wins_and_unknown_host_is_404()
    {
        var gw = Gateway("ns/gw", [HttpPort(
            Host("*.example.com", Prefix("/", To("ns/a:80"))),
            Host("*.b.example.com", Prefix("/", To("ns/b:80"))))], Backends);
        await using var g = await TestGateway.StartAsync(gw);
        Assert.Equal("b", (await g.EchoAsync("x.b.example.com", "/")).Name);
        Assert.Equal("a", (await g.EchoAsync("b.example.com", "/")).Name);
        using var r = await g.GetAsync("nothing.org", "/");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
    }

    [Fact]
    public async Task Path_exact_prefix_regex_in_given_order()
    {
        var gw = Gateway("ns/gw", [HttpPort(Host("*",
            Exact("/exact", To("ns/a:80")),
            Prefix("/foo", To("ns/b:80")),
            Regex("/re/[0-9]+", To("ns/c:80")),
            Prefix("/", To("ns/a:80", "root"))))], Backends);
        await using var g = await TestGateway.StartAsync(gw);

        Assert.Equal("a", (await g.EchoAsync("h", "/exact")).Name);
        Assert.Equal("b", (await g.EchoAsync("h", "/foo")).Name);
        Assert.Equal("b", (await g.EchoAsync("h", "/foo/")).Name);
        Assert.Equal("b", (await g.EchoAsync("h", "/foo/bar?x=1")).Name);
        Assert.Equal("c", (await g.EchoAsync("h", "/re/123")).Name);
        // Segment-wise prefix and full-match regex: these fall through to "/".
        var r = await g.EchoAsync("h", "/foobar");
        Assert.Equal("a", r.Name);
        Assert.Equal("a", (await g.EchoAsync("h", "/re/123x")).Name);
        Assert.Equal("a", (await g.EchoAsync("h", "/exact/more")).Name);
    }

    [Fact]
    public async Task No_match_is_404()
    {
        var gw = Gateway("ns/gw", [HttpPort(Host("*", Exact("/only", To("ns/a:80"))))], Backends);
        await using var g = await TestGateway.StartAsync(gw);
        using var r = await g.GetAsync("h", "/other");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
    }

    [Fact]
    public async Task Method_header_and_query_conditions_first_match_in_order()
    {
        var byHeader = new HttpMatchIr
        {
            PathValue = "/",
            Headers = new[] { new ValueMatchIr("X-Version", StringMatchKind.Exact, "two"), new ValueMatchIr("x-env", StringMatchKind.Regex, "prod|stage") },
            Rule = To("ns/b:80", "hdr"),
        };
        var byQuery = new HttpMatchIr { PathValue = "/", QueryParams = new[] { new ValueMatchIr("v", StringMatchKind.Exact, "3") }, Rule = To("ns/c:80", "q") };
        var byMethod = new HttpMatchIr { PathValue = "/", Method = "POST", Rule = To("ns/c:80", "post") };
        var gw = Gateway("ns/gw", [HttpPort(Host("*", byHeader, byQuery, byMethod, Prefix("/", To("ns/a:80"))))], Backends);
        await using var g = await TestGateway.StartAsync(gw);

        Assert.Equal("b", (await g.EchoAsync("h", "/", ("x-version", "two"), ("X-Env", "stage"))).Name);
        Assert.Equal("a", (await g.EchoAsync("h", "/", ("x-version", "two"), ("X-Env", "dev"))).Name);
        Assert.Equal("a", (await g.EchoAsync("h", "/", ("x-version", "TWO"), ("X-Env", "prod"))).Name);
        Assert.Equal("c", (await g.EchoAsync("h", "/?v=3")).Name);
        Assert.Equal("a", (await g.EchoAsync("h", "/?V=3")).Name);
        // Header match is earlier in precedence than the query match.
        Assert.Equal("b", (await g.EchoAsync("h", "/?v=3", ("x-version", "two"), ("x-env", "prod"))).Name);
        using var post = await g.SendAsync(g.Request("h", "/", HttpMethod.Post));
        Assert.Contains("\"c\"", await post.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Invalid_backend_is_500_and_backend_without_endpoints_is_503()
    {
        var gw = Gateway("ns/gw", [HttpPort(Host("*",
            Prefix("/invalid", Rule("r1", (null, 1))),
            Prefix("/missing", To("ns/nope:80")),
            Prefix("/empty", To("ns/empty:80")),
            Prefix("/direct", new HttpRuleIr { Name = "d", DirectResponseStatus = 500 }),
            Prefix("/down", To("ns/down:80"))))],
            [.. Backends, Backend("ns/empty:80", (EchoBackend?)null), Backend("ns/down:80", 1)]);
        await using var g = await TestGateway.StartAsync(gw);
        Assert.Equal(HttpStatusCode.InternalServerError, (await g.GetAsync("h", "/invalid")).StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, (await g.GetAsync("h", "/missing")).StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, (await g.GetAsync("h", "/direct")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await g.GetAsync("h", "/empty")).StatusCode);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await g.GetAsync("h", "/down")).StatusCode);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3), sw.Elapsed.ToString());
    }

    [Fact]
    public async Task Weights_zero_never_and_even_split_within_tolerance()
    {
        var gw = Gateway("ns/gw", [HttpPort(Host("*",
            Prefix("/zero", Rule("z", ("ns/a:80", 0), ("ns/b:80", 100))),
            Prefix("/half", Rule("h", ("ns/a:80", 50), ("ns/b:80", 50)))))], Backends);
        await using var g = await TestGateway.StartAsync(gw);
        for (var i = 0; i < 50; i++) Assert.Equal("b", (await g.EchoAsync("h", "/zero")).Name);
        var a = 0;
        const int n = 400;
        for (var i = 0; i < n; i++) if ((await g.EchoAsync("h", "/half")).Name == "a") a++;
        Assert.InRange(a, n / 2 - 60, n / 2 + 60);
    }

    [Fact]
    public async Task Round_robin_over_endpoints()
    {
        var gw = Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/ab:80"))))], Backend("ns/ab:80", _a.Port, _b.Port));
        await using var g = await TestGateway.StartAsync(gw);
        var names = new List<string>();
        for (var i = 0; i < 10; i++) names.Add((await g.EchoAsync("h", "/")).Name);
        Assert.Equal(5, names.Count(n => n == "a"));
        Assert.Equal(5, names.Count(n => n == "b"));
    }

    [Fact]
    public async Task Forwarded_headers_and_host_are_set()
    {
        var gw = Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/a:80"))))], Backends);
        await using var g = await TestGateway.StartAsync(gw);
        var r = await g.EchoAsync("svc.example.com", "/p?q=1", ("X-Forwarded-For", "10.1.1.1"));
        Assert.Equal("svc.example.com", r.Host);
        Assert.Equal("/p?q=1", r.Path);
        Assert.Equal("10.1.1.1, 127.0.0.1", r.Headers["x-forwarded-for"]);
        Assert.Equal("http", r.Headers["x-forwarded-proto"]);
        Assert.Equal("svc.example.com", r.Headers["x-forwarded-host"]);
    }

    [Fact]
    public async Task Oversized_request_headers_get_431()
    {
        var gw = Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/a:80"))))], Backends);
        await using var g = await TestGateway.StartAsync(gw);
        using var r = await g.GetAsync("h", "/", ("x-big", new string('a', 70 * 1024)));
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, r.StatusCode);
    }
}
