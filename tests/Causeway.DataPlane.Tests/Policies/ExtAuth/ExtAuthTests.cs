using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Causeway.DataPlane.Tests.Support;
using Causeway.Model;
using Causeway.Telemetry;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies.ExtAuth;

/// <summary>
/// SecurityPolicy extAuth through real sockets: a real HTTP authorization service (Kestrel) and a real gRPC one
/// (Grpc.AspNetCore serving Envoy's Authorization/Check from the vendored protos), each on its own address of this
/// feature's pool (127.60.80.x, port 0). Clients speak HTTP/1.1 keep-alive (handed to the Kestrel pipeline while the
/// event loop cannot park a request) and HTTP/2 (the Kestrel pipeline).
/// </summary>
public sealed class ExtAuthTests
{
    private static readonly IPAddress HttpAuthAddress = IPAddress.Parse("127.60.80.1");
    private static readonly IPAddress GrpcAuthAddress = IPAddress.Parse("127.60.80.2");
    private static readonly IPAddress DownAddress = IPAddress.Parse("127.60.80.3");

    private static BackendIr AuthBackend(string id, IPAddress address, int port, BackendProtocol protocol = BackendProtocol.Http1) => new()
    {
        Id = id,
        Protocol = protocol,
        Endpoints = new EquatableArray<EndpointIr>([new EndpointIr(address.ToString(), port)]),
    };

    private static HttpMatchIr Protected(string path, ExtAuthIr ext, string policy = "ns/ext") =>
        Prefix(path, To("ns/e:80", "httproute/ns" + path.Replace('/', '-') + "/rule/0") with { Security = new SecurityPolicyIr { Policy = policy, ExtAuth = ext } });

    private static GatewayIr Gateway(EchoBackend echo, BackendIr[] auth, params HttpMatchIr[] matches) =>
        Support.Ir.Gateway("ns/gw", [HttpPort(Host("*", [.. matches, Prefix("/open", To("ns/e:80", "httproute/ns/open/rule/0"))]))],
            [Backend("ns/e:80", echo), .. auth]);

    private static ExtAuthIr Http(string backend = "ns/auth-http:9002") => new()
    {
        Protocol = ExtAuthProtocol.Http,
        BackendId = backend,
        PathPrefix = "/check",
        HeadersToBackend = new EquatableArray<string>(["x-current-user"]),
        HeadersToExtAuth = new EquatableArray<string>(["x-client-id"]),
    };

    private static ExtAuthIr Grpc(string backend = "ns/auth-grpc:9000/h2c") => new()
    {
        Protocol = ExtAuthProtocol.Grpc,
        BackendId = backend,
        ContextExtensions = new EquatableArray<ExtAuthContextIr>([new("tenant", "blue"), new("token", null, new SecretText("s3cret"))]),
    };

    private static async Task<int> ClosedPortAsync()
    {
        using var l = new TcpListener(DownAddress, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        await Task.Yield();
        return port;
    }

    private static HttpRequestMessage Request(TestGateway g, string path, bool http2, string? token, params (string, string)[] headers)
    {
        var req = g.Request("h", path);
        if (http2)
        {
            req.Version = HttpVersion.Version20;
            req.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        }
        if (token is not null) req.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        foreach (var (n, v) in headers) req.Headers.TryAddWithoutValidation(n, v);
        return req;
    }

    private static async Task<EchoReply> EchoOf(HttpResponseMessage r)
    {
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<EchoReply>(r.Content))!;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Http_service_allows_with_its_headers_denies_with_its_answer_and_sees_the_selected_headers(bool http2)
    {
        await using var auth = await HttpAuthServer.StartAsync(HttpAuthAddress);
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, [AuthBackend("ns/auth-http:9002", HttpAuthAddress, auth.Port)], Protected("/secure", Http())));

        using (var ok = await g.SendAsync(Request(g, "/secure/a?q=1", http2, "allow", ("X-Client-Id", "c1"), ("X-Other", "o"), ("X-Remove-Me", "r"), ("X-Current-User", "mallory"))))
        {
            var seen = await EchoOf(ok);
            Assert.Equal("alice", seen.Headers["x-current-user"]); // the service's header replaced the client's
            Assert.False(seen.Headers.ContainsKey("x-not-forwarded")); // not in headersToBackend
            Assert.False(seen.Headers.ContainsKey("x-remove-me")); // x-envoy-auth-headers-to-remove
            Assert.Equal("o", seen.Headers["x-other"]);
        }
        Assert.True(auth.Seen.TryDequeue(out var check));
        Assert.Equal("GET", check.Method);
        Assert.Equal("/check/secure/a?q=1", check.PathAndQuery);
        Assert.Equal("h", check.Headers["host"]);
        Assert.Equal("Bearer allow", check.Headers["authorization"]);
        Assert.Equal("c1", check.Headers["x-client-id"]);
        Assert.Equal("0", check.Headers["content-length"]);
        Assert.False(check.Headers.ContainsKey("x-other")); // not in headersToExtAuth

        var before = echo.RequestCount;
        using (var denied = await g.SendAsync(Request(g, "/secure/a", http2, "deny")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
            Assert.Equal("Bearer realm=\"auth\"", denied.Headers.WwwAuthenticate.ToString());
            Assert.Equal("bad token", denied.Headers.GetValues("x-deny-reason").Single());
            Assert.Equal("text/plain", denied.Content.Headers.ContentType?.MediaType);
            Assert.Equal("go away", await denied.Content.ReadAsStringAsync());
        }
        using (var forbidden = await g.SendAsync(Request(g, "/secure/a", http2, null)))
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        using (var broken = await g.SendAsync(Request(g, "/secure/a", http2, "broken")))
            Assert.Equal(HttpStatusCode.Forbidden, broken.StatusCode); // a 5xx is the service failing: statusOnError (403)
        Assert.Equal(before, echo.RequestCount);
        var checks = auth.Seen.Count;
        using (var open = await g.SendAsync(Request(g, "/open", http2, null)))
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        Assert.Equal(checks, auth.Seen.Count); // the route without the policy is not checked
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task With_recomputeRoute_the_services_headers_choose_the_route_again(bool http2, bool recompute)
    {
        // /secure for everyone goes to e and is protected; /secure for x-current-user: alice goes to admin. The service
        // answers "allow" with x-current-user: alice: recomputing the route sends the request to admin.
        await using var auth = await HttpAuthServer.StartAsync(HttpAuthAddress);
        await using var echo = await EchoBackend.StartAsync("e");
        await using var admin = await EchoBackend.StartAsync("admin");
        var forAlice = new HttpMatchIr
        {
            PathValue = "/secure",
            Headers = new[] { new ValueMatchIr("x-current-user", StringMatchKind.Exact, "alice") },
            Rule = To("ns/admin:80", "httproute/ns/alice/rule/0"),
        };
        var gateway = Support.Ir.Gateway("ns/gw", [HttpPort(Host("*", forAlice, Protected("/secure", Http() with { RecomputeRoute = recompute })))],
            [Backend("ns/e:80", echo), Backend("ns/admin:80", admin), AuthBackend("ns/auth-http:9002", HttpAuthAddress, auth.Port)]);
        await using var g = await TestGateway.StartAsync(gateway);

        using (var r = await g.SendAsync(Request(g, "/secure/a", http2, "allow")))
        {
            var seen = await EchoOf(r);
            Assert.Equal(recompute ? "admin" : "e", seen.Name);
            Assert.Equal("alice", seen.Headers["x-current-user"]); // applied once, whichever the route
        }
        using (var denied = await g.SendAsync(Request(g, "/secure/a", http2, "deny")))
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Equal(recompute ? 1 : 0, admin.RequestCount);
        // A client naming itself alice matches the admin rule at once, which has no policy (as routing decides).
        using (var direct = await g.SendAsync(Request(g, "/secure/a", http2, null, ("x-current-user", "alice"))))
            Assert.Equal("admin", (await EchoOf(direct)).Name);
        if (!http2 && Native.IsSupported && recompute) Assert.True(g.Plane.FastPath!.LoopHandOffs > 0); // the byte transports hand such rules on
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Http11_keep_alive_connection_gets_every_answer_in_turn_on_the_event_loop_and_the_relay(bool grpcService, bool relay)
    {
        Assert.True(Native.IsSupported, "the event loop runs on Linux x86-64 and arm64; CI runs there");
        await using var auth = await HttpAuthServer.StartAsync(HttpAuthAddress);
        await using var grpc = await GrpcAuthServer.StartAsync(GrpcAuthAddress);
        await using var echo = await EchoBackend.StartAsync("e");
        var options = relay ? TestGateway.Options with { Http1EventLoop = false } : TestGateway.Options;
        await using var g = await TestGateway.StartAsync(options, Gateway(echo,
            [AuthBackend("ns/auth-http:9002", HttpAuthAddress, auth.Port), AuthBackend("ns/auth-grpc:9000/h2c", GrpcAuthAddress, grpc.Port, BackendProtocol.H2c)],
            Protected("/secure", grpcService ? Grpc() : Http())));
        await using var c = await RawClient.ConnectAsync(g.Port);
        foreach (var (token, status) in new[] { ("allow", 200), ("deny", 401), ("allow", 200), ("other", 403), ("allow", 200) })
        {
            await c.SendAsync($"GET /secure/k HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer {token}\r\n\r\n");
            var r = await c.ReadResponseAsync();
            Assert.Equal(status, r.Status);
            if (status == 200) Assert.Contains("\"x-current-user\":\"alice\"", r.BodyText, StringComparison.Ordinal);
            if (status == 401) Assert.Equal(grpcService ? "denied by grpc" : "go away", r.BodyText);
        }
        Assert.Equal(3, echo.RequestCount);
        Assert.Equal(5, grpcService ? grpc.Checks.Count : auth.Seen.Count);
        var fast = g.Plane.FastPath!;
        if (relay)
        {
            Assert.Equal(5, fast.Requests); // parked on the HTTP/1.1 relay, never handed to the Kestrel pipeline
            Assert.Equal(0, fast.HandOffs);
        }
        else
        {
            Assert.Equal(5, fast.LoopRequests); // parked on the event loop, never handed to Kestrel
            Assert.Equal(0, fast.LoopHandOffs);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Http_service_gets_the_body_up_to_its_limit_and_the_backend_still_gets_it(bool http2)
    {
        await using var auth = await HttpAuthServer.StartAsync(HttpAuthAddress);
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, [AuthBackend("ns/auth-http:9002", HttpAuthAddress, auth.Port)],
            Protected("/secure", Http() with { MaxRequestBytes = 16 })));
        var post = Request(g, "/secure/upload", http2, "allow");
        post.Method = HttpMethod.Post;
        post.Content = new StringContent("hello body", Encoding.UTF8, "text/plain");
        using (var ok = await g.SendAsync(post))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.True(auth.Seen.TryDequeue(out var check));
        Assert.Equal("POST", check.Method);
        Assert.Equal("hello body", check.Body);
        Assert.Equal("10", check.Headers["content-length"]);
        Assert.Contains(echo.Bodies, b => b.Body == "hello body");

        var big = Request(g, "/secure/upload", http2, "allow");
        big.Method = HttpMethod.Post;
        big.Content = new StringContent(new string('x', 100));
        using (var tooBig = await g.SendAsync(big))
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Empty(auth.Seen); // never asked
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_slow_or_absent_service_fails_closed_with_statusOnError_or_open(bool http2)
    {
        await using var auth = await HttpAuthServer.StartAsync(HttpAuthAddress);
        await using var grpc = await GrpcAuthServer.StartAsync(GrpcAuthAddress);
        await using var echo = await EchoBackend.StartAsync("e");
        var down = await ClosedPortAsync();
        var timeout = TimeSpan.FromMilliseconds(300);
        await using var g = await TestGateway.StartAsync(Gateway(echo,
            [
                AuthBackend("ns/auth-http:9002", HttpAuthAddress, auth.Port),
                AuthBackend("ns/auth-grpc:9000/h2c", GrpcAuthAddress, grpc.Port, BackendProtocol.H2c),
                AuthBackend("ns/down:1", DownAddress, down),
                AuthBackend("ns/down:1/h2c", DownAddress, down, BackendProtocol.H2c),
            ],
            Protected("/http-closed", Http() with { Timeout = timeout, StatusOnError = 503 }),
            Protected("/http-open", Http() with { Timeout = timeout, FailOpen = true }),
            Protected("/grpc-closed", Grpc() with { Timeout = timeout, StatusOnError = 504 }),
            Protected("/grpc-open", Grpc() with { Timeout = timeout, FailOpen = true }),
            Protected("/down-closed", Http("ns/down:1")),
            Protected("/down-open", Http("ns/down:1") with { FailOpen = true }),
            Protected("/down-grpc-closed", Grpc("ns/down:1/h2c")),
            Protected("/down-grpc-open", Grpc("ns/down:1/h2c") with { FailOpen = true }),
            Protected("/unresolved-open", Http() with { BackendId = null, FailOpen = true })));
        async Task<(HttpStatusCode, TimeSpan)> Get(string path, string token)
        {
            var watch = Stopwatch.StartNew();
            using var r = await g.SendAsync(Request(g, path, http2, token));
            return (r.StatusCode, watch.Elapsed);
        }

        var (status, took) = await Get("/http-closed", "slow");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.True(took < TimeSpan.FromSeconds(2.5), $"took {took}");
        (status, took) = await Get("/grpc-closed", "slow");
        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        Assert.True(took < TimeSpan.FromSeconds(2.5), $"took {took}");
        Assert.Equal(0, echo.RequestCount);

        (status, took) = await Get("/http-open", "slow");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(took < TimeSpan.FromSeconds(2.5), $"took {took}");
        Assert.Equal(HttpStatusCode.OK, (await Get("/grpc-open", "slow")).Item1);

        Assert.Equal(HttpStatusCode.Forbidden, (await Get("/down-closed", "allow")).Item1); // statusOnError defaults to 403
        Assert.Equal(HttpStatusCode.OK, (await Get("/down-open", "deny")).Item1);
        Assert.Equal(HttpStatusCode.Forbidden, (await Get("/down-grpc-closed", "allow")).Item1);
        Assert.Equal(HttpStatusCode.OK, (await Get("/down-grpc-open", "deny")).Item1);
        Assert.Equal(HttpStatusCode.OK, (await Get("/unresolved-open", "deny")).Item1); // a service that did not resolve, failOpen
        Assert.Equal(5, echo.RequestCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Grpc_service_gets_the_attributes_and_context_and_its_answers_reach_backend_and_client(bool http2)
    {
        await using var grpc = await GrpcAuthServer.StartAsync(GrpcAuthAddress);
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, [AuthBackend("ns/auth-grpc:9000/h2c", GrpcAuthAddress, grpc.Port, BackendProtocol.H2c)],
            Protected("/secure", Grpc()),
            Protected("/selected", Grpc() with { HeadersToExtAuth = new EquatableArray<string>(["x-client-id"]) })));

        using (var ok = await g.SendAsync(Request(g, "/secure/g?x=1", http2, "allow",
                   ("X-Client-Id", "c1"), ("X-Tag", "client"), ("X-If-Absent", "client"), ("X-Remove-Me", "r"), ("X-Current-User", "mallory"))))
        {
            var seen = await EchoOf(ok);
            Assert.Equal("alice", seen.Headers["x-current-user"]); // set: replaces the client's
            Assert.Equal("client,from-auth", seen.Headers["x-tag"].Replace(", ", ",", StringComparison.Ordinal)); // append
            Assert.Equal("client", seen.Headers["x-if-absent"]); // ADD_IF_ABSENT: the client's stays
            Assert.False(seen.Headers.ContainsKey("x-remove-me"));
        }
        Assert.True(grpc.Checks.TryDequeue(out var check));
        var attributes = check.Attributes;
        var http = attributes.Request.Http;
        Assert.Equal("GET", http.Method);
        Assert.Equal("/secure/g?x=1", http.Path);
        Assert.Equal("h", http.Host);
        Assert.Equal("http", http.Scheme);
        Assert.Equal(http2 ? "HTTP/2" : "HTTP/1.1", http.Protocol);
        Assert.Equal("Bearer allow", http.Headers["authorization"]);
        Assert.Equal("c1", http.Headers["x-client-id"]);
        Assert.Equal("h", http.Headers[":authority"]);
        Assert.Equal("/secure/g?x=1", http.Headers[":path"]);
        // Both ways are the event loop's here (HTTP/1.1 and its own HTTP/2): the client's address and port, and the
        // address and port it connected to, as Envoy sends them.
        Assert.Equal("127.0.0.1", attributes.Source.Address.SocketAddress.Address);
        Assert.InRange(attributes.Source.Address.SocketAddress.PortValue, 1u, 65535u);
        Assert.NotEqual((uint)g.Port, attributes.Source.Address.SocketAddress.PortValue);
        Assert.Equal("127.0.0.1", attributes.Destination.Address.SocketAddress.Address);
        Assert.Equal((uint)g.Port, attributes.Destination.Address.SocketAddress.PortValue);
        Assert.True(g.Plane.FastPath!.LoopRequests > 0);
        Assert.Equal("blue", attributes.ContextExtensions["tenant"]);
        Assert.Equal("s3cret", attributes.ContextExtensions["token"]);
        Assert.NotNull(attributes.Request.Time);

        using (var denied = await g.SendAsync(Request(g, "/secure/g", http2, "deny")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
            Assert.Equal("bad token", denied.Headers.GetValues("x-deny-reason").Single());
            Assert.Equal("text/plain", denied.Content.Headers.ContentType?.MediaType);
            Assert.Equal("denied by grpc", await denied.Content.ReadAsStringAsync());
        }
        using (var refused = await g.SendAsync(Request(g, "/secure/g", http2, "other")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode); // not OK, no denied_response: 403
            Assert.Equal("", await refused.Content.ReadAsStringAsync());
        }
        Assert.Equal(1, echo.RequestCount);

        // headersToExtAuth: only the named headers (and the pseudo-headers) reach the service; without the
        // Authorization header it cannot allow.
        grpc.Checks.Clear();
        using (var selected = await g.SendAsync(Request(g, "/selected", http2, "allow", ("X-Client-Id", "c2"), ("X-Other", "o"))))
            Assert.Equal(HttpStatusCode.Forbidden, selected.StatusCode);
        Assert.True(grpc.Checks.TryDequeue(out var narrowed));
        var names = narrowed.Attributes.Request.Http.Headers.Keys.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal([":authority", ":method", ":path", "x-client-id"], names);
    }

    /// <summary>
    /// <c>includeRouteMetadata</c>: each check carries the metadata of the route it protects in the "envoy-gateway"
    /// namespace of <c>route_metadata_context</c>, as Envoy Gateway's routes carry it (kind, namespace, name, the
    /// rule's name, the <c>gateway.envoyproxy.io/</c> annotations without their prefix); a rule of the same policy
    /// without it sends none. The rules share the service's client.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Grpc_service_gets_the_routes_metadata_with_includeRouteMetadata(bool http2)
    {
        await using var grpc = await GrpcAuthServer.StartAsync(GrpcAuthAddress);
        await using var echo = await EchoBackend.StartAsync("e");
        var withMetadata = Grpc() with { IncludeRouteMetadata = true };
        var first = withMetadata with
        {
            RouteMetadata = new RouteMetadataIr
            {
                Kind = "HTTPRoute", Namespace = "ns", Name = "first", SectionName = "login",
                Annotations = new EquatableArray<KeyValuePair<string, string>>([new("foo", "bar"), new("team", "blue")]),
            },
        };
        var second = withMetadata with { RouteMetadata = new RouteMetadataIr { Kind = "GRPCRoute", Namespace = "other", Name = "second" } };
        await using var g = await TestGateway.StartAsync(Gateway(echo, [AuthBackend("ns/auth-grpc:9000/h2c", GrpcAuthAddress, grpc.Port, BackendProtocol.H2c)],
            Protected("/first", first), Protected("/second", second), Protected("/plain", Grpc())));

        foreach (var path in new[] { "/first", "/second", "/plain" })
        {
            grpc.Checks.Clear();
            using (var ok = await g.SendAsync(Request(g, path, http2, "allow"))) await EchoOf(ok);
            Assert.True(grpc.Checks.TryDequeue(out var check));
            var context = check.Attributes.RouteMetadataContext;
            if (path == "/plain")
            {
                Assert.True(context is null || context.FilterMetadata.Count == 0);
                continue;
            }
            var resources = context.FilterMetadata["envoy-gateway"].Fields["resources"].ListValue.Values;
            var resource = Assert.Single(resources).StructValue.Fields;
            if (path == "/first")
            {
                Assert.Equal("HTTPRoute", resource["kind"].StringValue);
                Assert.Equal("ns", resource["namespace"].StringValue);
                Assert.Equal("first", resource["name"].StringValue);
                Assert.Equal("login", resource["sectionName"].StringValue);
                var annotations = resource["annotations"].StructValue.Fields;
                Assert.Equal("bar", annotations["foo"].StringValue);
                Assert.Equal("blue", annotations["team"].StringValue);
            }
            else
            {
                Assert.Equal("GRPCRoute", resource["kind"].StringValue);
                Assert.Equal("other", resource["namespace"].StringValue);
                Assert.Equal("second", resource["name"].StringValue);
                Assert.False(resource.ContainsKey("sectionName"));
                Assert.False(resource.ContainsKey("annotations"));
            }
        }
        Assert.Equal(3, echo.RequestCount);
    }

    [Fact]
    public async Task Services_behind_backend_tls_are_verified_and_a_wrong_certificate_fails_the_check()
    {
        var ca = TestCerts.CreateCa("ext-auth-ca");
        var otherCa = TestCerts.CreateCa("other-ca");
        var leaf = TestCerts.CreateLeaf(ca, "auth.internal", "auth.internal");
        await using var auth = await HttpAuthServer.StartAsync(HttpAuthAddress, leaf.Certificate);
        await using var grpc = await GrpcAuthServer.StartAsync(GrpcAuthAddress, leaf.Certificate);
        await using var echo = await EchoBackend.StartAsync("e");
        var trusted = new BackendTlsIr { Hostname = "auth.internal", CaBundlePem = ca.CertificatePem };
        var untrusted = new BackendTlsIr { Hostname = "auth.internal", CaBundlePem = otherCa.CertificatePem };
        await using var g = await TestGateway.StartAsync(Gateway(echo,
            [
                AuthBackend("ns/auth-http:9002", HttpAuthAddress, auth.Port) with { Tls = trusted },
                AuthBackend("ns/auth-grpc:9000/h2c", GrpcAuthAddress, grpc.Port, BackendProtocol.H2c) with { Tls = trusted },
                AuthBackend("ns/auth-untrusted:9002", HttpAuthAddress, auth.Port) with { Tls = untrusted },
            ],
            Protected("/http", Http()),
            Protected("/grpc", Grpc()),
            Protected("/untrusted", Http("ns/auth-untrusted:9002"))));
        using (var ok = await g.SendAsync(Request(g, "/http", false, "allow")))
            Assert.Equal("alice", (await EchoOf(ok)).Headers["x-current-user"]);
        using (var ok = await g.SendAsync(Request(g, "/grpc", true, "allow")))
            Assert.Equal("alice", (await EchoOf(ok)).Headers["x-current-user"]);
        using (var denied = await g.SendAsync(Request(g, "/grpc", false, "deny")))
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Single(auth.Seen);
        Assert.Equal(2, grpc.Checks.Count);
        using (var refused = await g.SendAsync(Request(g, "/untrusted", false, "allow")))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode); // the handshake failed: statusOnError
        Assert.Single(auth.Seen);
    }

    [Fact]
    public async Task Checks_are_counted_by_result_with_their_latency()
    {
        await using var auth = await HttpAuthServer.StartAsync(HttpAuthAddress);
        await using var echo = await EchoBackend.StartAsync("e");
        var metrics = new MetricsRegistry();
        var options = TestGateway.Options with { Metrics = metrics };
        await using var g = await TestGateway.StartAsync(options, Gateway(echo, [AuthBackend("ns/auth-http:9002", HttpAuthAddress, auth.Port)],
            Protected("/secure", Http(), "ns/counted")));
        foreach (var token in new[] { "allow", "allow", "deny", "broken" })
        {
            using var r = await g.SendAsync(Request(g, "/secure", false, token));
        }
        var text = metrics.Render();
        Assert.Contains("causeway_ext_auth_requests_total{policy=\"ns/counted\",result=\"allow\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("causeway_ext_auth_requests_total{policy=\"ns/counted\",result=\"deny\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("causeway_ext_auth_requests_total{policy=\"ns/counted\",result=\"error\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("causeway_ext_auth_duration_seconds_count{policy=\"ns/counted\"} 4", text, StringComparison.Ordinal);
    }
}
