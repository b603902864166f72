using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Model;
using Causeway.Telemetry;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Policies.SecurityIr;

namespace Causeway.DataPlane.Tests.Policies;

/// <summary>SecurityPolicy csrf through real sockets: the event loop (HTTP/1.1) and Kestrel (HTTP/2) answer alike.</summary>
public sealed class CsrfTests
{
    private static SecurityPolicyIr Policy(double shadow = 0, params string[] origins) => new()
    {
        Policy = "ns/csrf",
        Csrf = new CsrfIr { AdditionalOrigins = new EquatableArray<string>(origins), ShadowFraction = shadow },
    };

    private static async Task<(int Status, string Body)> Send(TestGateway g, HttpMethod method, Version version, string path, params (string, string)[] headers)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(15) };
        using var request = new HttpRequestMessage(method, $"http://127.0.0.1:{g.Port}{path}")
        {
            Version = version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = method == HttpMethod.Get ? null : new StringContent("x"),
        };
        request.Headers.Host = "app.example.com:8080";
        foreach (var (n, v) in headers) request.Headers.TryAddWithoutValidation(n, v);
        using var r = await client.SendAsync(request);
        return ((int)r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Mutating_requests_need_an_origin_of_the_destination_or_an_allowed_one(bool http2)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, Policy(0, "*.trusted.example", "partner.example:8443")));
        var v = http2 ? HttpVersion.Version20 : HttpVersion.Version11;
        // Same host and port as the Host header; the scheme does not count.
        Assert.Equal(200, (await Send(g, HttpMethod.Post, v, "/secure/a", ("Origin", "https://app.example.com:8080"))).Status);
        Assert.Equal(200, (await Send(g, HttpMethod.Delete, v, "/secure/a", ("Referer", "http://app.example.com:8080/page?x=1"))).Status);
        Assert.Equal(200, (await Send(g, HttpMethod.Put, v, "/secure/a", ("Origin", "https://a.trusted.example"))).Status);
        Assert.Equal(200, (await Send(g, HttpMethod.Patch, v, "/secure/a", ("Origin", "https://partner.example:8443"))).Status);
        // Another origin, another port, a bare wildcard base, none at all: 403 Invalid origin, nothing upstream.
        var before = echo.RequestCount;
        foreach (var origin in new[] { "https://evil.example", "https://app.example.com:9090", "https://trusted.example", "https://partner.example" })
        {
            var (status, body) = await Send(g, HttpMethod.Post, v, "/secure/a", ("Origin", origin));
            Assert.Equal(403, status);
            Assert.Equal("Invalid origin", body);
        }
        Assert.Equal(403, (await Send(g, HttpMethod.Post, v, "/secure/a")).Status);
        Assert.Equal(before, echo.RequestCount);
        // Safe methods and routes without the policy are not checked.
        Assert.Equal(200, (await Send(g, HttpMethod.Get, v, "/secure/a", ("Origin", "https://evil.example"))).Status);
        Assert.Equal(200, (await Send(g, HttpMethod.Post, v, "/open/a", ("Origin", "https://evil.example"))).Status);
        if (!http2) Assert.Equal(0, g.Plane.FastPath!.LoopHandOffs); // decided on the event loop
    }

    [Fact]
    public async Task In_shadow_every_request_passes_and_the_invalid_ones_are_counted()
    {
        var registry = new MetricsRegistry();
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { Metrics = registry }, Gateway(echo, Policy(shadow: 1)));
        Assert.Equal(200, (await Send(g, HttpMethod.Post, HttpVersion.Version11, "/secure/a", ("Origin", "https://evil.example"))).Status);
        Assert.Equal(200, (await Send(g, HttpMethod.Post, HttpVersion.Version11, "/secure/a")).Status);
        Assert.Equal(200, (await Send(g, HttpMethod.Post, HttpVersion.Version11, "/secure/a", ("Origin", "http://app.example.com:8080"))).Status);
        var text = registry.Render();
        Assert.Contains("causeway_csrf_requests_total{policy=\"ns/csrf\",result=\"invalid\"} 2", text);
        Assert.Contains("causeway_csrf_requests_total{policy=\"ns/csrf\",result=\"valid\"} 1", text);
        Assert.Contains("causeway_csrf_requests_total{policy=\"ns/csrf\",result=\"missing_source_origin\"} 1", text);
    }
}
