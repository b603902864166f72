using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Causeway.DataPlane.Tests.Support;
using Causeway.Model;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies.ClientTraffic;

/// <summary>
/// ClientTrafficPolicy <c>headers.earlyRequestHeaders</c> and <c>headers.lateResponseHeaders</c> through real sockets:
/// the early edits come before routing (a route matching on a header the client did not send is chosen) and before
/// the route's own edits; the late edits come after the route's response edits and reach every answer of the
/// listener, the gateway's own included (404, a direct response). Transports: the event loop (without hand-off), the
/// HTTP/1.1 relay on TLS (without hand-off), the Kestrel pipeline (fast path off) and HTTP/2 (Kestrel + YARP).
/// </summary>
public sealed class ListenerHeaderMutationTests
{
    public enum Transport { Loop, Tls, Kestrel, H2 }

    private static readonly TestCert Ca = TestCerts.CreateCa("ctp-hdr-ca");
    private static readonly TestCert Leaf = TestCerts.CreateLeaf(Ca, "h", "h");

    private static EquatableArray<KeyValuePair<string, string>> Pairs(params (string Name, string Value)[] pairs) =>
        new(pairs.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)).ToArray());

    /// <summary>The policy of these tests: early set/add/remove, late set/add/remove/addIfAbsent.</summary>
    private static Translation.Ir.ClientTrafficIr Policy() => ClientTrafficIr.Policy() with
    {
        EarlyRequestHeaders = new HeaderModifierIr
        {
            Set = Pairs(("x-tenant", "gold")),
            Add = Pairs(("x-early-add", "early")),
            Remove = new(["x-early-remove"]),
        },
        LateResponseHeaders = new HeaderModifierIr
        {
            Set = Pairs(("x-late", "late")),
            Add = Pairs(("x-backend", "late")),
            Remove = new(["x-route-resp"]),
            AddIfAbsent = Pairs(("x-frame-options", "DENY"), ("x-route-keep", "late")),
        },
    };

    /// <summary>
    /// /app only for requests with <c>x-tenant: gold</c> (which the early edits set), with the route's own request and
    /// response edits; /direct answers 503 itself; anything else is 404.
    /// </summary>
    private static GatewayIr Gateway(EchoBackend echo, Transport transport, Translation.Ir.ClientTrafficIr? policy)
    {
        var app = To("ns/e:80", "httproute/ns/app/rule/0") with
        {
            Filters = new([new HttpFilterIr
            {
                RequestHeaders = new HeaderModifierIr { Add = Pairs(("x-early-add", "route")) },
                ResponseHeaders = new HeaderModifierIr { Set = Pairs(("x-route-resp", "r"), ("x-route-keep", "r")) },
            }]),
        };
        var listener = Listener("ns/gw/l", null, Host("*",
            Exact("/direct", new HttpRuleIr { Name = "httproute/ns/direct/rule/0", DirectResponseStatus = 503 }),
            Prefix("/app", app) with { Headers = new([new ValueMatchIr("x-tenant", StringMatchKind.Exact, "gold")]) })) with { ClientTraffic = policy };
        if (transport == Transport.Tls) listener = listener with { Certificates = new[] { Leaf.ToIr("h") } };
        var port = Port(transport == Transport.Tls ? PortProtocol.Https : PortProtocol.Http, 0, listener);
        return Support.Ir.Gateway("ns/gw", [port], Backend("ns/e:80", echo));
    }

    private static async Task<TestGateway> StartAsync(Transport transport, GatewayIr gw) =>
        await TestGateway.StartAsync(transport == Transport.Kestrel ? TestGateway.Options with { Http1FastPath = false } : TestGateway.Options, gw);

    /// <summary>One GET with <paramref name="headers"/>; the status and the response's header lines (names as sent, one entry per line or value).</summary>
    internal static async Task<(int Status, List<KeyValuePair<string, string>> Headers)> GetAsync(TestGateway g, Transport transport, string path,
        string host = "h", params (string Name, string Value)[] headers)
    {
        if (transport == Transport.H2)
        {
            using var request = g.Request(host, path);
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            foreach (var (n, v) in headers) request.Headers.TryAddWithoutValidation(n, v);
            using var response = await g.SendAsync(request);
            Assert.Equal(HttpVersion.Version20, response.Version);
            var all = response.Headers.Concat(response.Content.Headers)
                .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v))).ToList();
            return ((int)response.StatusCode, all);
        }
        var head = new StringBuilder($"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
        foreach (var (n, v) in headers) head.Append(n).Append(": ").Append(v).Append("\r\n");
        return await SendRawAsync(g, transport, head.Append("\r\n").ToString());
    }

    /// <summary>Sends <paramref name="request"/> as written (HTTP/1.x, cleartext or TLS) and reads the answer to the connection's end.</summary>
    internal static async Task<(int Status, List<KeyValuePair<string, string>> Headers)> SendRawAsync(TestGateway g, Transport transport, string request)
    {
        using var tcp = new TcpClient { NoDelay = true };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await tcp.ConnectAsync(IPAddress.Loopback, g.Port, cts.Token);
        Stream stream = tcp.GetStream();
        if (transport == Transport.Tls)
        {
            var ssl = new SslStream(stream);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "h",
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, cts.Token);
            stream = ssl;
        }
        await using (stream)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cts.Token);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            var text = await reader.ReadToEndAsync(cts.Token);
            var lines = text.Split("\r\n");
            var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            var list = lines.Skip(1).TakeWhile(l => l.Length > 0)
                .Select(l => new KeyValuePair<string, string>(l[..l.IndexOf(':')], l[(l.IndexOf(':') + 1)..].Trim())).ToList();
            return (status, list);
        }
    }

    /// <summary>The values of the lines named <paramref name="name"/> (any case), in order.</summary>
    private static string[] Values(List<KeyValuePair<string, string>> headers, string name) =>
        headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToArray();

    private static void AssertServedWithoutHandOff(TestGateway g, Transport transport)
    {
        if (transport == Transport.Loop) Assert.Equal(0, g.Plane.FastPath!.LoopHandOffs);
        if (transport == Transport.Tls) Assert.Equal(0, g.Plane.FastPath!.HandOffs);
        if (transport is Transport.Loop or Transport.Tls) Assert.True(g.Plane.FastPath!.Requests > 0);
    }

    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.Kestrel)]
    [InlineData(Transport.H2)]
    public async Task Early_request_headers_are_edited_before_routing_and_before_the_routes_edits(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await StartAsync(transport, Gateway(echo, transport, policy: null));
        // Without the policy the route's header match fails.
        Assert.Equal(404, (await GetAsync(g, transport, "/app", headers: ("x-tenant", "silver"))).Status);

        await g.ApplyAsync(Gateway(echo, transport, Policy()));
        var (status, _) = await GetAsync(g, transport, "/app/1", headers: [("x-tenant", "silver"), ("x-early-add", "client"), ("x-early-remove", "client")]);
        Assert.Equal(200, status);
        Assert.Equal(200, (await GetAsync(g, transport, "/app/2")).Status);
        AssertServedWithoutHandOff(g, transport);

        var seen = echo.Received.ToDictionary(e => e.Path);
        Assert.Equal("gold", seen["/app/1"].Headers["x-tenant"]);
        Assert.Equal("client,early,route", seen["/app/1"].Headers["x-early-add"]);
        Assert.False(seen["/app/1"].Headers.ContainsKey("x-early-remove"));
        Assert.Equal("gold", seen["/app/2"].Headers["x-tenant"]);
        Assert.Equal("early,route", seen["/app/2"].Headers["x-early-add"]);
    }

    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.Kestrel)]
    [InlineData(Transport.H2)]
    public async Task Late_response_headers_are_edited_last_on_every_answer_of_the_listener(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await StartAsync(transport, Gateway(echo, transport, Policy()));

        // A backend's answer: after the route's response edits (x-route-resp removed, x-route-keep kept as the route set it).
        var (status, h) = await GetAsync(g, transport, "/app");
        Assert.Equal(200, status);
        Assert.Equal(["late"], Values(h, "x-late"));
        Assert.Equal("e,late", string.Join(",", Values(h, "x-backend")));
        Assert.Empty(Values(h, "x-route-resp"));
        Assert.Equal(["r"], Values(h, "x-route-keep"));
        Assert.Equal(["DENY"], Values(h, "x-frame-options"));
        Assert.Equal(["application/json"], Values(h, "content-type"));

        // The gateway's own answers: no route (404), a direct response (503).
        foreach (var (path, expected) in new[] { ("/missing", 404), ("/direct", 503) })
        {
            (status, h) = await GetAsync(g, transport, path);
            Assert.Equal(expected, status);
            Assert.Equal(["late"], Values(h, "x-late"));
            Assert.Equal(["late"], Values(h, "x-backend"));
            Assert.Equal(["DENY"], Values(h, "x-frame-options"));
            Assert.Equal(["late"], Values(h, "x-route-keep"));
        }
        AssertServedWithoutHandOff(g, transport);

        // Without the policy, none of it.
        await g.ApplyAsync(Gateway(echo, transport, policy: null));
        (status, h) = await GetAsync(g, transport, "/missing");
        Assert.Equal(404, status);
        Assert.Empty(Values(h, "x-late"));
        Assert.Empty(Values(h, "x-frame-options"));
    }

    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.Kestrel)]
    [InlineData(Transport.H2)]
    public async Task Late_response_headers_come_after_the_rate_limit_headers_and_reach_the_429(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var policy = ClientTrafficIr.Policy() with
        {
            LateResponseHeaders = new HeaderModifierIr { Set = Pairs(("x-late", "late")), Remove = new(["x-ratelimit-reset"]) },
        };
        var listener = Listener("ns/gw/l", null, Host("*",
            Prefix("/limited", To("ns/e:80", "httproute/ns/limited/rule/0") with { BackendTraffic = ClientTrafficIr.OneAnHourFor("127.0.0.0/8") })))
            with { ClientTraffic = policy };
        if (transport == Transport.Tls) listener = listener with { Certificates = new[] { Leaf.ToIr("h") } };
        var port = Port(transport == Transport.Tls ? PortProtocol.Https : PortProtocol.Http, 0, listener);
        await using var g = await StartAsync(transport, Support.Ir.Gateway("ns/gw", [port], Backend("ns/e:80", echo)));
        foreach (var expected in new[] { 200, 429 })
        {
            var (status, h) = await GetAsync(g, transport, "/limited");
            Assert.Equal(expected, status);
            Assert.Equal(["late"], Values(h, "x-late"));
            Assert.Equal(["1"], Values(h, "x-ratelimit-limit"));
            Assert.Empty(Values(h, "x-ratelimit-reset"));
        }
        Assert.Equal(1, echo.RequestCount);
        AssertServedWithoutHandOff(g, transport);
    }

    private static EquatableArray<HeaderNameMatchIr> Matches(params (HeaderValueMatchKind Kind, string Value)[] matches) =>
        new(matches.Select(m => new HeaderNameMatchIr(m.Kind, m.Value)).ToArray());

    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.Kestrel)]
    [InlineData(Transport.H2)]
    public async Task RemoveOnMatch_removes_request_and_response_headers_by_name_and_never_the_managed_ones(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        // The translator lower-cases Exact/Prefix/Suffix values; the data plane matches lower-cased names.
        var policy = ClientTrafficIr.Policy() with
        {
            EarlyRequestHeaders = new HeaderModifierIr
            {
                Set = Pairs(("x-debug-set", "early")),
                RemoveOnMatch = Matches((HeaderValueMatchKind.Prefix, "x-debug-"), (HeaderValueMatchKind.Suffix, "-internal"),
                    (HeaderValueMatchKind.RegularExpression, "x-trace-[0-9]+"), (HeaderValueMatchKind.Exact, "x-secret"),
                    (HeaderValueMatchKind.RegularExpression, "x-forwarded-.*|host|x-request-id")),
            },
            LateResponseHeaders = new HeaderModifierIr
            {
                RemoveOnMatch = Matches((HeaderValueMatchKind.Prefix, "x-route-"), (HeaderValueMatchKind.Exact, "x-backend"),
                    (HeaderValueMatchKind.RegularExpression, "d[a-z]te|content-length")),
            },
        };
        var app = To("ns/e:80", "httproute/ns/app/rule/0") with
        {
            Filters = new([new HttpFilterIr
            {
                ResponseHeaders = new HeaderModifierIr { Set = Pairs(("x-route-resp", "r"), ("X-Route-Other", "r"), ("x-keep", "k")) },
            }]),
        };
        var listener = Listener("ns/gw/l", null, Host("*", Prefix("/app", app))) with { ClientTraffic = policy };
        if (transport == Transport.Tls) listener = listener with { Certificates = new[] { Leaf.ToIr("h") } };
        var port = Port(transport == Transport.Tls ? PortProtocol.Https : PortProtocol.Http, 0, listener);
        await using var g = await StartAsync(transport, Support.Ir.Gateway("ns/gw", [port], Backend("ns/e:80", echo)));

        var (status, h) = await GetAsync(g, transport, "/app", headers: [("X-Debug-A", "1"), ("x-debug-b", "2"), ("My-Internal", "3"),
            ("x-trace-42", "4"), ("x-trace-x", "kept"), ("X-Secret", "5"), ("x-secret-not", "kept"), ("x-forwarded-for", "192.0.2.1"),
            ("x-request-id", "rid-1")]);
        Assert.Equal(200, status);
        AssertServedWithoutHandOff(g, transport);
        var seen = Assert.Single(echo.Received).Headers;
        foreach (var gone in new[] { "x-debug-a", "x-debug-b", "x-debug-set", "my-internal", "x-trace-42", "x-secret" })
            Assert.False(seen.ContainsKey(gone), gone);
        Assert.Equal("kept", seen["x-trace-x"]);
        Assert.Equal("kept", seen["x-secret-not"]);
        // Headers the gateway manages are never removed by a match: Host, X-Forwarded-For (the client's kept, the peer appended), the request ID.
        Assert.Equal("h", Assert.Single(echo.Received).Host);
        Assert.StartsWith("192.0.2.1", seen["x-forwarded-for"], StringComparison.Ordinal);
        Assert.True(seen.ContainsKey("x-request-id"));

        // The response: the route's x-route-* and the backend's x-backend removed; Date, Content-Length and the rest kept.
        Assert.Empty(Values(h, "x-route-resp"));
        Assert.Empty(Values(h, "x-route-other"));
        Assert.Empty(Values(h, "x-backend"));
        Assert.Equal(["k"], Values(h, "x-keep"));
        Assert.Equal(["application/json"], Values(h, "content-type"));
        Assert.Single(Values(h, "date"));
        if (transport != Transport.H2) Assert.Single(Values(h, "content-length").Concat(Values(h, "transfer-encoding")));
    }

    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Kestrel)]
    [InlineData(Transport.H2)]
    public async Task A_host_no_listener_names_gets_the_late_edits_only_when_every_listener_has_the_same(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        GatewayIr Gw(Translation.Ir.ClientTrafficIr? b)
        {
            var a = Listener("ns/gw/a", "a.example", Host("a.example", Prefix("/", To("ns/e:80", "httproute/ns/a/rule/0")))) with { ClientTraffic = Policy() };
            var other = Listener("ns/gw/b", "b.example", Host("b.example", Prefix("/", To("ns/e:80", "httproute/ns/b/rule/0")))) with { ClientTraffic = b };
            return Support.Ir.Gateway("ns/gw", [Port(PortProtocol.Http, 0, a, other)], Backend("ns/e:80", echo));
        }
        await using var g = await StartAsync(transport, Gw(Policy() with { Policy = "ns/same-edits" }));
        var (status, h) = await GetAsync(g, transport, "/", host: "c.example");
        Assert.Equal(404, status);
        Assert.Equal(["late"], Values(h, "x-late"));

        await g.ApplyAsync(Gw(null));
        (status, h) = await GetAsync(g, transport, "/", host: "c.example");
        Assert.Equal(404, status);
        Assert.Empty(Values(h, "x-late"));
        // The listener's own requests keep theirs; the other's have none.
        Assert.Equal(["late"], Values((await GetAsync(g, transport, "/", host: "a.example")).Headers, "x-late"));
        Assert.Empty(Values((await GetAsync(g, transport, "/", host: "b.example")).Headers, "x-late"));
    }

    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Kestrel)]
    [InlineData(Transport.H2)]
    public async Task An_early_edit_of_Host_routes_by_the_new_host_on_the_Kestrel_pipeline(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var listener = Listener("ns/gw/l", null, Host("b.example", Prefix("/", To("ns/e:80", "httproute/ns/b/rule/0")))) with
        {
            ClientTraffic = ClientTrafficIr.Policy() with { EarlyRequestHeaders = new HeaderModifierIr { Set = Pairs(("Host", "b.example")) } },
        };
        var gw = Support.Ir.Gateway("ns/gw", [Port(PortProtocol.Http, 0, listener)], Backend("ns/e:80", echo));
        await using var g = await StartAsync(transport, gw);
        Assert.Equal(200, (await GetAsync(g, transport, "/x", host: "a.example")).Status);
        Assert.Equal("b.example", Assert.Single(echo.Received).Host);
        // The byte transports manage Host themselves: such a listener's requests go on to Kestrel.
        if (transport == Transport.Loop) Assert.Equal(1, g.Plane.FastPath!.LoopHandOffs);
    }
}
