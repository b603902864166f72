using System.Text.Json;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.RouteFilters;

/// <summary>
/// The URL rewrite and credential injection steps on the byte transports: the event loop serves them itself (no
/// hand-off) and the backend gets the same request as from the Kestrel pipeline (regex path with the query kept, Host
/// from a header, from the backend's hostname or from a path regex, X-Forwarded-Host dropped when asked, credentials
/// set or kept).
/// </summary>
public sealed class EnvoyRouteFilterTransportTests
{
    private static HttpRuleIr With(string name, string backend, params HttpFilterIr[] filters) => To(backend, name) with { Filters = filters };

    private static HttpFilterIr Rewrite(UrlRewriteIr r) => new() { UrlRewrite = r };

    private static PathModifierIr Regex(string pattern, string substitution) =>
        new(PathModifierKind.ReplaceRegexMatch, pattern) { Substitution = substitution };

    private static HttpFilterIr Credential(string header, string value, bool overwrite) =>
        new() { CredentialInjection = new CredentialInjectionIr { Header = header, Credential = new SecretText(value), Overwrite = overwrite } };

    private static GatewayIr Gateway(EchoBackend echo) => Ir.Gateway("ns/gw", [HttpPort(Host("*",
            Prefix("/service", With("regex", "ns/e:80", Rewrite(new UrlRewriteIr { Path = Regex("^/service/([^/]+)(/.*)$", @"\2/instance/\1") }))),
            Prefix("/all", With("all", "ns/e:80", Rewrite(new UrlRewriteIr { Path = Regex("(?i)one", "two") }))),
            Prefix("/header", With("header", "ns/e:80", Rewrite(new UrlRewriteIr { HostnameFromHeader = "x-target" }))),
            // The Host comes from the header as the client sent it, whatever the rule's header edits do to it.
            Prefix("/edited", With("edited", "ns/e:80", new HttpFilterIr { RequestHeaders = new HeaderModifierIr { Remove = new[] { "x-target" } } },
                Rewrite(new UrlRewriteIr { HostnameFromHeader = "x-target" }))),
            Prefix("/backend", With("backend", "ns/named:80", Rewrite(new UrlRewriteIr { HostnameFromBackend = true, AppendXForwardedHost = false }))),
            Prefix("/tenant", With("tenant", "ns/e:80", Rewrite(new UrlRewriteIr
            {
                HostnameFromPath = Regex("^/tenant/([a-z0-9-]+)/.*", @"\1.example.internal"),
            }))),
            Prefix("/cred", With("cred", "ns/e:80", Credential("authorization", "Basic abc", overwrite: false))),
            Prefix("/over", With("over", "ns/e:80", Credential("x-credential", "token-2", overwrite: true)))))],
        Backend("ns/e:80", echo), Backend("ns/named:80", echo) with { Hostname = "named.internal" });

    private static async Task<EchoReply> SendAsync(TestGateway g, string request)
    {
        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync(request);
        var r = await c.ReadResponseAsync();
        Assert.True(r.Status == 200, $"{request}: {r.Status} {r.BodyText}");
        return JsonSerializer.Deserialize<EchoReply>(r.BodyText, JsonSerializerOptions.Web)!;
    }

    private static string[] Values(EchoReply echo, string name) =>
        echo.Headers.TryGetValue(name, out var v) ? [v] : [];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Rewrites_and_credentials_reach_the_backend_alike_on_every_transport(bool fastPath)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { Http1FastPath = fastPath }, Gateway(echo));

        var regex = await SendAsync(g, "GET /service/foo/v1/api?q=1 HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Equal("/v1/api/instance/foo?q=1", regex.Path);
        Assert.Equal("/all/two/xx/two", (await SendAsync(g, "GET /all/one/xx/ONE HTTP/1.1\r\nHost: h\r\n\r\n")).Path);

        var header = await SendAsync(g, "GET /header HTTP/1.1\r\nHost: h\r\nx-target: a.internal\r\n\r\n");
        Assert.Equal("a.internal", header.Host);
        Assert.Equal(["h"], Values(header, "x-forwarded-host"));
        Assert.Equal("h", (await SendAsync(g, "GET /header HTTP/1.1\r\nHost: h\r\n\r\n")).Host);
        var edited = await SendAsync(g, "GET /edited HTTP/1.1\r\nHost: h\r\nx-target: b.internal\r\n\r\n");
        Assert.Equal("b.internal", edited.Host);
        Assert.Empty(Values(edited, "x-target"));

        var backend = await SendAsync(g, "GET /backend HTTP/1.1\r\nHost: h\r\nX-Forwarded-Host: spoofed\r\n\r\n");
        Assert.Equal("named.internal", backend.Host);
        Assert.Empty(Values(backend, "x-forwarded-host"));

        Assert.Equal("t1.example.internal", (await SendAsync(g, "GET /tenant/t1/api HTTP/1.1\r\nHost: h\r\n\r\n")).Host);
        Assert.Equal("h", (await SendAsync(g, "GET /tenant HTTP/1.1\r\nHost: h\r\n\r\n")).Host);

        Assert.Equal(["Basic abc"], Values(await SendAsync(g, "GET /cred HTTP/1.1\r\nHost: h\r\n\r\n"), "authorization"));
        Assert.Equal(["Bearer mine"], Values(await SendAsync(g, "GET /cred HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer mine\r\n\r\n"), "authorization"));
        Assert.Equal(["token-2"], Values(await SendAsync(g, "GET /over HTTP/1.1\r\nHost: h\r\nX-Credential: a\r\n\r\n"), "x-credential"));

        if (fastPath)
        {
            // Every request above was the event loop's own: nothing went on to Kestrel.
            var fast = g.Plane.FastPath!;
            Assert.Equal((11L, 0L, 0L), (fast.LoopRequests, fast.LoopHandOffs, fast.HandOffs));
        }
    }
}
