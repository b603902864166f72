using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Http;

public sealed class FilterTests : IAsyncLifetime
{
    private EchoBackend _a = null!;
    private EchoBackend _mirror = null!;

    public async Task InitializeAsync()
    {
        _a = await EchoBackend.StartAsync("a");
        _mirror = await EchoBackend.StartAsync("mirror");
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _mirror.DisposeAsync();
    }

    private GatewayIr Single(params HttpMatchIr[] matches) =>
        Gateway("ns/gw", [HttpPort(Host("*", matches))], Backend("ns/a:80", _a), Backend("ns/mirror:80", _mirror));

    private static HttpRuleIr Redirect(RedirectIr r) => new() { Name = "redirect", Redirect = r };

    [Theory]
    [InlineData("/r1/x?y=1", "http://h.example/r1/x?y=1", 302)]
    [InlineData("/r2/x", "https://h.example/r2/x", 301)]
    [InlineData("/r3/x", "https://h.example:8443/r3/x", 302)]
    [InlineData("/r4/x", "http://other.example:8080/r4/x", 302)]
    [InlineData("/r5/one/two", "http://h.example/new/one/two", 302)]
    [InlineData("/r6/one", "http://h.example/one", 303)]
    [InlineData("/r7/any", "http://h.example/full", 307)]
    [InlineData("/r8/x", "http://h.example:LISTENER/r8/x", 308)]
    public async Task Redirect_variants(string path, string expected, int status)
    {
        var gw = Gateway("ns/gw", [Port(PortProtocol.Http, 0, Listener("ns/gw/http", null, Host("*",
            Prefix("/r1", Redirect(new RedirectIr { Port = 80 })),
            Prefix("/r2", Redirect(new RedirectIr { Scheme = "https", StatusCode = 301 })),
            Prefix("/r3", Redirect(new RedirectIr { Scheme = "https", Port = 8443 })),
            Prefix("/r4", Redirect(new RedirectIr { Hostname = "other.example", Port = 8080 })),
            Prefix("/r5", Redirect(new RedirectIr { Port = 80, Path = new PathModifierIr(PathModifierKind.ReplacePrefixMatch, "/new") })),
            Prefix("/r6", Redirect(new RedirectIr { Port = 80, StatusCode = 303, Path = new PathModifierIr(PathModifierKind.ReplacePrefixMatch, "/") })),
            Prefix("/r7", Redirect(new RedirectIr { Port = 80, StatusCode = 307, Path = new PathModifierIr(PathModifierKind.ReplaceFullPath, "/full") })),
            Prefix("/r8", Redirect(new RedirectIr { StatusCode = 308 })))))]);
        await using var g = await TestGateway.StartAsync(gw);
        using var r = await g.GetAsync("h.example:9999", path);
        Assert.Equal(status, (int)r.StatusCode);
        Assert.Equal(expected.Replace("LISTENER", g.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)), r.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("/prefix/one", "/one", "/one/one")]
    [InlineData("/prefix/one", "/", "/one")]
    [InlineData("/prefix", "/one", "/one")]
    [InlineData("/prefix", "/", "/")]
    [InlineData("/prefix/", "/one", "/one/")]
    public async Task Rewrite_prefix_semantics(string request, string replacement, string expected)
    {
        var rule = To("ns/a:80") with
        {
            Filters = new[] { new HttpFilterIr { UrlRewrite = new UrlRewriteIr { Path = new PathModifierIr(PathModifierKind.ReplacePrefixMatch, replacement) } } },
        };
        await using var g = await TestGateway.StartAsync(Single(Prefix("/prefix", rule)));
        Assert.Equal(expected, (await g.EchoAsync("h", request)).Path);
    }

    [Fact]
    public async Task Rewrite_full_path_and_hostname_keeps_query()
    {
        var rule = To("ns/a:80") with
        {
            Filters = new[] { new HttpFilterIr { UrlRewrite = new UrlRewriteIr { Hostname = "rewritten.example", Path = new PathModifierIr(PathModifierKind.ReplaceFullPath, "/full") } } },
        };
        await using var g = await TestGateway.StartAsync(Single(Prefix("/", rule)));
        var r = await g.EchoAsync("original.example", "/some/path?x=1");
        Assert.Equal("/full?x=1", r.Path);
        Assert.Equal("rewritten.example", r.Host);
    }

    [Fact]
    public async Task Request_and_response_header_modifiers()
    {
        var rule = To("ns/a:80") with
        {
            Filters = new[]
            {
                new HttpFilterIr
                {
                    RequestHeaders = new HeaderModifierIr
                    {
                        Set = new[] { KeyValuePair.Create("X-Set", "set-value") },
                        Add = new[] { KeyValuePair.Create("x-add", "added") },
                        Remove = new[] { "X-REMOVE" },
                    },
                },
                new HttpFilterIr
                {
                    ResponseHeaders = new HeaderModifierIr
                    {
                        Set = new[] { KeyValuePair.Create("X-Backend", "overridden") },
                        Add = new[] { KeyValuePair.Create("X-Resp-Add", "r") },
                        Remove = new[] { "content-type" },
                    },
                },
            },
        };
        await using var g = await TestGateway.StartAsync(Single(Prefix("/", rule)));
        using var response = await g.GetAsync("h", "/", ("x-set", "original"), ("X-Add", "first"), ("x-remove", "gone"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = System.Text.Json.JsonSerializer.Deserialize<EchoReply>(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("set-value", echo.Headers["x-set"]);
        Assert.Equal("first,added", echo.Headers["x-add"].Replace(" ", ""));
        Assert.False(echo.Headers.ContainsKey("x-remove"));
        Assert.Equal("overridden", string.Join(",", response.Headers.GetValues("X-Backend")));
        Assert.Equal("r", string.Join(",", response.Headers.GetValues("X-Resp-Add")));
        Assert.Null(response.Content.Headers.ContentType);
    }

    [Fact]
    public async Task Mirror_receives_copy_and_client_is_not_delayed()
    {
        var slowMirror = Backend("ns/mirror:80", _mirror);
        var rule = To("ns/a:80") with
        {
            Filters = new[] { new HttpFilterIr { Mirror = new MirrorIr { BackendId = "ns/mirror:80" } } },
        };
        await using var g = await TestGateway.StartAsync(Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", rule)))], Backend("ns/a:80", _a), slowMirror));
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var r = await g.EchoAsync("h", "/mirrored?x=1", ("x-test", "m1"));
        Assert.Equal("a", r.Name);
        for (var i = 0; i < 100 && !_mirror.Received.Any(x => x.Path == "/mirrored?x=1"); i++) await Task.Delay(50);
        var copy = Assert.Single(_mirror.Received, x => x.Path == "/mirrored?x=1");
        Assert.Equal("m1", copy.Headers["x-test"]);
        Assert.Equal("h", copy.Host);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Mirror_receives_the_request_body_and_so_does_the_backend()
    {
        var rule = To("ns/a:80") with
        {
            Filters = new[] { new HttpFilterIr { Mirror = new MirrorIr { BackendId = "ns/mirror:80" } } },
        };
        await using var g = await TestGateway.StartAsync(Single(Prefix("/", rule)));
        var payload = new string('m', 20_000) + "end";
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{g.Port}/with-body")
        {
            Content = new StringContent(payload, System.Text.Encoding.UTF8, "text/plain"),
        };
        request.Headers.Host = "h";
        using var response = await g.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(payload.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues("x-echo-body-length").Single());
        for (var i = 0; i < 100 && !_mirror.Bodies.Any(x => x.Path == "/with-body"); i++) await Task.Delay(50);
        var mirrored = Assert.Single(_mirror.Bodies, x => x.Path == "/with-body");
        Assert.Equal(payload, mirrored.Body);
        var copy = Assert.Single(_mirror.Received, x => x.Path == "/with-body");
        Assert.Equal("POST", copy.Method);
        Assert.StartsWith("text/plain", copy.Headers["content-type"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mirror_skips_a_body_larger_than_the_buffer_and_the_backend_still_gets_it()
    {
        var rule = To("ns/a:80") with
        {
            Filters = new[] { new HttpFilterIr { Mirror = new MirrorIr { BackendId = "ns/mirror:80" } } },
        };
        await using var g = await TestGateway.StartAsync(Single(Prefix("/", rule)));
        var payload = new string('x', 200_000);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{g.Port}/big-body") { Content = new StringContent(payload) };
        request.Headers.Host = "h";
        using var response = await g.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("200000", response.Headers.GetValues("x-echo-body-length").Single());
        await g.EchoAsync("h", "/after-big-body");
        for (var i = 0; i < 100 && !_mirror.Received.Any(x => x.Path == "/after-big-body"); i++) await Task.Delay(50);
        Assert.DoesNotContain(_mirror.Received, x => x.Path == "/big-body");
    }

    [Fact]
    public async Task Mirror_to_slow_backend_does_not_delay_client()
    {
        await using var slow = await EchoBackend.StartAsync("slow", fixedDelay: TimeSpan.FromSeconds(3));
        var rule = To("ns/a:80") with
        {
            Filters = new[]
            {
                new HttpFilterIr { Mirror = new MirrorIr { BackendId = "ns/slow:80" } },
            },
        };
        await using var g = await TestGateway.StartAsync(Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", rule)))], Backend("ns/a:80", _a), Backend("ns/slow:80", slow)));
        await g.EchoAsync("h", "/warm");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        using var response = await g.GetAsync("h", "/slow-mirror");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(1.5), sw.Elapsed.ToString());
        // The mirror did receive it (it is still sleeping on it).
        for (var i = 0; i < 40 && !slow.Received.Any(x => x.Path == "/slow-mirror"); i++) await Task.Delay(50);
        Assert.Contains(slow.Received, x => x.Path == "/slow-mirror");
    }

    [Fact]
    public async Task Mirror_percentage_zero_never_mirrors()
    {
        var rule = To("ns/a:80") with
        {
            Filters = new[] { new HttpFilterIr { Mirror = new MirrorIr { BackendId = "ns/mirror:80", Numerator = 0, Denominator = 100 } } },
        };
        await using var g = await TestGateway.StartAsync(Single(Prefix("/", rule)));
        for (var i = 0; i < 10; i++) await g.EchoAsync("h", "/never");
        await Task.Delay(200);
        Assert.DoesNotContain(_mirror.Received, x => x.Path == "/never");
    }

    [Fact]
    public async Task Cors_preflight_answered_by_gateway_and_actual_request_gets_headers()
    {
        var rule = To("ns/a:80") with
        {
            Filters = new[]
            {
                new HttpFilterIr
                {
                    Cors = new CorsIr
                    {
                        AllowOrigins = new[] { "https://www.foo.com", "https://*.bar.com" },
                        AllowMethods = new[] { "GET", "OPTIONS" },
                        AllowHeaders = new[] { "x-header-1", "x-header-2" },
                        ExposeHeaders = new[] { "x-header-3" },
                        AllowCredentials = true,
                        MaxAgeSeconds = 3600,
                    },
                },
            },
        };
        await using var g = await TestGateway.StartAsync(Single(Prefix("/cors", rule)));
        var before = _a.RequestCount;
        var pre = g.Request("h", "/cors", HttpMethod.Options);
        pre.Headers.TryAddWithoutValidation("Origin", "https://xpto.www.bar.com");
        pre.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "GET");
        using var preResponse = await g.SendAsync(pre);
        Assert.Equal(HttpStatusCode.OK, preResponse.StatusCode);
        Assert.Equal("https://xpto.www.bar.com", preResponse.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("GET, OPTIONS", preResponse.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Equal("x-header-1, x-header-2", preResponse.Headers.GetValues("Access-Control-Allow-Headers").Single());
        Assert.Equal("3600", preResponse.Headers.GetValues("Access-Control-Max-Age").Single());
        Assert.Equal("true", preResponse.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        Assert.Equal(before, _a.RequestCount);

        var denied = g.Request("h", "/cors", HttpMethod.Options);
        denied.Headers.TryAddWithoutValidation("Origin", "https://foobar.com");
        denied.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "GET");
        using var deniedResponse = await g.SendAsync(denied);
        Assert.Equal(HttpStatusCode.OK, deniedResponse.StatusCode);
        Assert.False(deniedResponse.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(before, _a.RequestCount);

        using var actual = await g.GetAsync("h", "/cors", ("Origin", "https://www.foo.com"));
        Assert.Equal(HttpStatusCode.OK, actual.StatusCode);
        Assert.Equal("https://www.foo.com", actual.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("x-header-3", actual.Headers.GetValues("Access-Control-Expose-Headers").Single());
        Assert.Equal(before + 1, _a.RequestCount);

        using var other = await g.GetAsync("h", "/cors", ("Origin", "https://foobar.com"));
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
