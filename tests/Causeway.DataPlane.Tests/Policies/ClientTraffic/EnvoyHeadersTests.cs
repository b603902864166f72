using System.Globalization;
using Causeway.DataPlane.Tests.Support;
using Causeway.Model;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;
using Transport = Causeway.DataPlane.Tests.Policies.ClientTraffic.ListenerHeaderMutationTests.Transport;

namespace Causeway.DataPlane.Tests.Policies.ClientTraffic;

/// <summary>
/// ClientTrafficPolicy <c>headers.enableEnvoyHeaders</c> through real sockets on every transport (event loop, TLS relay,
/// Kestrel pipeline, HTTP/2): a backend's response carries <c>x-envoy-upstream-service-time</c> (at least the
/// backend's delay), a forwarded request of a rule with a timeout carries <c>x-envoy-expected-rq-timeout-ms</c> (the
/// per-attempt timeout, else the request timeout; the client's value replaced), a rewritten request carries
/// <c>x-envoy-original-path</c>, and without the setting none of them.
/// </summary>
public sealed class EnvoyHeadersTests
{
    private static readonly TestCert Ca = TestCerts.CreateCa("ctp-envoy-ca");
    private static readonly TestCert Leaf = TestCerts.CreateLeaf(Ca, "h", "h");

    private static GatewayIr Gateway(EchoBackend echo, Transport transport, bool enable)
    {
        var listener = Listener("ns/gw/l", null, Host("*",
            Prefix("/attempt", To("ns/e:80", "httproute/ns/attempt/rule/0") with
            {
                RequestTimeout = TimeSpan.FromSeconds(5), BackendRequestTimeout = TimeSpan.FromMilliseconds(2500),
            }),
            Prefix("/request", To("ns/e:80", "httproute/ns/request/rule/0") with { RequestTimeout = TimeSpan.FromSeconds(4) }),
            Prefix("/plain", To("ns/e:80", "httproute/ns/plain/rule/0")),
            Prefix("/old", To("ns/e:80", "httproute/ns/rewrite/rule/0") with
            {
                Filters = new([new HttpFilterIr { UrlRewrite = new UrlRewriteIr { Path = new PathModifierIr(PathModifierKind.ReplacePrefixMatch, "/new") } }]),
            }),
            Exact("/direct", new HttpRuleIr { Name = "httproute/ns/direct/rule/0", DirectResponseStatus = 503 })))
            with { ClientTraffic = ClientTrafficIr.Policy() with { EnableEnvoyHeaders = enable } };
        if (transport == Transport.Tls) listener = listener with { Certificates = new[] { Leaf.ToIr("h") } };
        var port = Port(transport == Transport.Tls ? PortProtocol.Https : PortProtocol.Http, 0, listener);
        return Support.Ir.Gateway("ns/gw", [port], Backend("ns/e:80", echo));
    }

    private static string[] Values(List<KeyValuePair<string, string>> headers, string name) =>
        headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToArray();

    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.Kestrel)]
    [InlineData(Transport.H2)]
    public async Task EnableEnvoyHeaders_adds_the_service_time_and_the_expected_timeout(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(
            transport == Transport.Kestrel ? TestGateway.Options with { Http1FastPath = false } : TestGateway.Options, Gateway(echo, transport, enable: true));

        var (status, h) = await ListenerHeaderMutationTests.GetAsync(g, transport, "/attempt",
            headers: [("x-echo-delay-ms", "60"), ("x-envoy-expected-rq-timeout-ms", "1")]);
        Assert.Equal(200, status);
        var serviceTime = long.Parse(Assert.Single(Values(h, "x-envoy-upstream-service-time")), CultureInfo.InvariantCulture);
        Assert.InRange(serviceTime, 50, 10_000); // the echo waits 60 ms by its timer, which may fire a little early
        Assert.Equal(200, (await ListenerHeaderMutationTests.GetAsync(g, transport, "/request")).Status);
        (status, h) = await ListenerHeaderMutationTests.GetAsync(g, transport, "/plain");
        Assert.Equal(200, status);
        Assert.Single(Values(h, "x-envoy-upstream-service-time"));
        // The gateway's own answers did not go upstream: no service time.
        (status, h) = await ListenerHeaderMutationTests.GetAsync(g, transport, "/direct");
        Assert.Equal(503, status);
        Assert.Empty(Values(h, "x-envoy-upstream-service-time"));

        // A rewritten path: the backend gets the client's path and query too (the client's own value replaced).
        Assert.Equal(200, (await ListenerHeaderMutationTests.GetAsync(g, transport, "/old/x?q=1", headers: ("x-envoy-original-path", "/forged"))).Status);

        var seen = echo.Received.ToDictionary(e => e.Path);
        Assert.Equal("/old/x?q=1", seen["/new/x?q=1"].Headers["x-envoy-original-path"]);
        Assert.False(seen["/plain"].Headers.ContainsKey("x-envoy-original-path"));
        Assert.Equal("2500", seen["/attempt"].Headers["x-envoy-expected-rq-timeout-ms"]);
        Assert.Equal("4000", seen["/request"].Headers["x-envoy-expected-rq-timeout-ms"]);
        Assert.False(seen["/plain"].Headers.ContainsKey("x-envoy-expected-rq-timeout-ms"));
        if (transport == Transport.Loop) Assert.Equal(0, g.Plane.FastPath!.LoopHandOffs);
        if (transport == Transport.Tls) Assert.Equal(0, g.Plane.FastPath!.HandOffs);

        // Without the setting (Envoy Gateway's default): none of them.
        await g.ApplyAsync(Gateway(echo, transport, enable: false));
        (status, h) = await ListenerHeaderMutationTests.GetAsync(g, transport, "/request/2");
        Assert.Equal(200, status);
        Assert.Empty(Values(h, "x-envoy-upstream-service-time"));
        Assert.False(echo.Received.Single(e => e.Path == "/request/2").Headers.ContainsKey("x-envoy-expected-rq-timeout-ms"));
        Assert.Equal(200, (await ListenerHeaderMutationTests.GetAsync(g, transport, "/old/y")).Status);
        Assert.False(echo.Received.Single(e => e.Path == "/new/y").Headers.ContainsKey("x-envoy-original-path"));
    }
}
