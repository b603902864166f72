using System.Net;
using System.Text;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Http;

/// <summary>The HTTP/1.1 fast path (Http/FastPath): relay semantics, framing, pools, errors.</summary>
public sealed class FastPathTests
{
    private static KeyValuePair<string, string>[] Kv(params (string Name, string Value)[] pairs) =>
        pairs.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)).ToArray();

    [Fact]
    public async Task Keep_alive_requests_are_relayed_by_the_fast_path_over_one_backend_connection()
    {
        await using var b = new RawBackend(_ => (RawBackend.Ok("hi"), false));
        await using var g = await TestGateway.StartAsync(OneRoute(b.Port));
        await using var c = await RawClient.ConnectAsync(g.Port);
        for (var i = 0; i < 5; i++)
        {
            await c.SendAsync($"GET /r{i}?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n\r\n");
            var r = await c.ReadResponseAsync();
            Assert.Equal(200, r.Status);
            Assert.Equal("hi", r.BodyText);
            Assert.NotNull(r.Header("date"));
        }
        Assert.Equal(5, g.Plane.FastPath!.Requests);
        Assert.Equal(0, g.Plane.FastPath.HandOffs);
        Assert.Equal(1, b.Connections);
        Assert.Equal(1, g.Plane.FastPath.Pools.Find("127.0.0.1", b.Port)!.IdleCount);
        Assert.StartsWith("GET /r4?x=1 HTTP/1.1\r\n", b.Requests.Last());
    }

    [Fact]
    public async Task Forwarded_headers_and_hop_by_hop_removal_match_the_full_pipeline()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var gw = OneRoute(echo);
        await using var fast = await TestGateway.StartAsync(gw);
        await using var slow = await TestGateway.StartAsync(TestGateway.Options with { Http1FastPath = false }, gw);
        (string, string)[] headers = [("X-Forwarded-For", "10.1.1.1"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "evil"),
            ("Keep-Alive", "timeout=5"), ("Proxy-Connection", "keep-alive"), ("TE", "trailers"), ("Forwarded", "for=1.2.3.4"), ("X-Custom", "v")];
        var a = await fast.EchoAsync("app.example:8080", "/p/a?q=%41%20b&r=1", headers);
        var b = await slow.EchoAsync("app.example:8080", "/p/a?q=%41%20b&r=1", headers);
        Assert.True(fast.Plane.FastPath!.Requests > 0);
        Assert.Equal("10.1.1.1, 127.0.0.1", a.Headers["x-forwarded-for"]);
        Assert.Equal("http", a.Headers["x-forwarded-proto"]);
        Assert.Equal("app.example:8080", a.Headers["x-forwarded-host"]);
        Assert.Equal(b.Path, a.Path);
        Assert.Equal(b.Host, a.Host);
        Assert.Equal(Sorted(b.Headers), Sorted(a.Headers));

        static string Sorted(Dictionary<string, string> h) =>
            string.Join("\n", h.Where(kv => kv.Key is not ("content-length" or "connection")).OrderBy(kv => kv.Key).Select(kv => kv.Key + "=" + kv.Value));
    }

    [Fact]
    public async Task Response_headers_match_the_full_pipeline()
    {
        const string response = "HTTP/1.1 201 Created\r\nContent-Length: 2\r\nServer: backend\r\nDate: Tue, 01 Jan 2030 00:00:00 GMT\r\n" +
            "Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nKeep-Alive: timeout=5\r\nAlt-Svc: h3=\":443\"\r\nX-B: 1\r\n\r\nok";
        await using var b = new RawBackend(_ => (response, false));
        var edits = new HttpRuleIr
        {
            Name = "r",
            Backends = new[] { new WeightedBackendIr { BackendId = "ns/b:80", Weight = 1 } },
            Filters = new[] { new HttpFilterIr { ResponseHeaders = new HeaderModifierIr { Add = Kv(("x-b", "2"), ("x-new", "n")), Remove = new[] { "x-gone" }, Set = Kv(("X-Set", "s")) } } },
        };
        foreach (var rule in new[] { To("ns/b:80"), edits })
        {
            await using var fast = await TestGateway.StartAsync(OneRoute(b.Port, rule));
            await using var slow = await TestGateway.StartAsync(TestGateway.Options with { Http1FastPath = false }, OneRoute(b.Port, rule));
            var viaFast = await GetRawAsync(fast.Port);
            var viaSlow = await GetRawAsync(slow.Port);
            Assert.Equal(1, fast.Plane.FastPath!.Requests);
            Assert.Equal(viaSlow.StatusLine, viaFast.StatusLine);
            Assert.Equal(Normal(viaSlow), Normal(viaFast));
            Assert.Equal("ok", viaFast.BodyText);
        }

        static async Task<RawResponse> GetRawAsync(int port)
        {
            await using var c = await RawClient.ConnectAsync(port);
            await c.SendAsync("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            return await c.ReadResponseAsync();
        }

        static string Normal(RawResponse r) => string.Join("\n", r.Headers.Select(h => h.Key + "=" + h.Value).Order());
    }

    [Fact]
    public async Task Chunked_close_delimited_and_bodyless_responses_are_framed_correctly()
    {
        await using var b = new RawBackend(head =>
        {
            var path = head.Split(' ')[1];
            return path switch
            {
                "/chunked" => ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n", false),
                "/close" => ("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end", true),
                "/204" => ("HTTP/1.1 204 No Content\r\n\r\n", false),
                "/304" => ("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", false),
                "/interim" => ("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + RawBackend.Ok("after"), false),
                _ => ("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", false), // HEAD
            };
        });
        await using var g = await TestGateway.StartAsync(OneRoute(b.Port));
        await using var c = await RawClient.ConnectAsync(g.Port);

        await c.SendAsync("GET /chunked HTTP/1.1\r\nHost: h\r\n\r\n");
        var chunked = await c.ReadResponseAsync();
        Assert.True(chunked.Chunked);
        Assert.Equal("hello world", chunked.BodyText);

        await c.SendAsync("GET /close HTTP/1.1\r\nHost: h\r\n\r\n");
        var closed = await c.ReadResponseAsync();
        Assert.True(closed.Chunked); // re-chunked: the client connection survives the backend's close
        Assert.Equal("until the end", closed.BodyText);
        Assert.Null(closed.Header("connection"));

        await c.SendAsync("HEAD /head HTTP/1.1\r\nHost: h\r\n\r\n");
        var head = await c.ReadResponseAsync(head: true);
        Assert.Equal("1234", head.Header("content-length"));

        await c.SendAsync("GET /204 HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Equal(204, (await c.ReadResponseAsync()).Status);
        await c.SendAsync("GET /304 HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Equal(304, (await c.ReadResponseAsync()).Status);
        await c.SendAsync("GET /interim HTTP/1.1\r\nHost: h\r\n\r\n");
        var after = await c.ReadResponseAsync();
        Assert.Equal(200, after.Status);
        Assert.Equal("after", after.BodyText);
        Assert.Equal(6, g.Plane.FastPath!.Requests);
        Assert.Equal(0, g.Plane.FastPath.HandOffs);
    }

    [Fact]
    public async Task Large_request_body_is_streamed_and_pipelined_requests_are_answered_in_order()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(OneRoute(echo));
        var req = g.Request("h", "/upload", HttpMethod.Post);
        req.Content = new StreamContent(new MemoryStream(new byte[3_000_000]));
        using (var r = await g.SendAsync(req))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("3000000", r.Headers.GetValues("x-echo-body-length").Single());
        }

        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync("POST /one HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nabcdeGET /two HTTP/1.1\r\nHost: h\r\n\r\n");
        var one = await c.ReadResponseAsync();
        var two = await c.ReadResponseAsync();
        Assert.Contains("\"/one\"", one.BodyText);
        Assert.Equal("5", one.Header("x-echo-body-length"));
        Assert.Contains("\"/two\"", two.BodyText);
        Assert.Equal(3, g.Plane.FastPath!.Requests);
    }

    [Fact]
    public async Task Large_responses_to_a_client_that_reads_late_arrive_whole_and_in_order()
    {
        // Bodies far larger than the socket buffers, and a client that waits before reading: the direct sends must
        // fall back to waiting for the socket and still keep every byte in order, for both framings, on one connection.
        var big = new string('a', 16_000_000) + "END";
        var chunk = new string('b', 4_000_000);
        await using var b = new RawBackend(head => head.Split(' ')[1] switch
        {
            "/length" => (RawBackend.Ok(big), false),
            "/chunked" => ($"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{chunk.Length:X}\r\n{chunk}\r\n{chunk.Length:X}\r\n{chunk}\r\n0\r\n\r\n", false),
            _ => (RawBackend.Ok("small"), false),
        });
        await using var g = await TestGateway.StartAsync(OneRoute(b.Port));
        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync("GET /length HTTP/1.1\r\nHost: h\r\n\r\nGET /chunked HTTP/1.1\r\nHost: h\r\n\r\nGET /small HTTP/1.1\r\nHost: h\r\n\r\n");
        await Task.Delay(300);
        var length = await c.ReadResponseAsync();
        Assert.Equal(big.Length, length.Body.Length);
        Assert.EndsWith("aEND", length.BodyText);
        var chunked = await c.ReadResponseAsync();
        Assert.True(chunked.Chunked);
        Assert.Equal(2 * chunk.Length, chunked.Body.Length);
        Assert.Equal("small", (await c.ReadResponseAsync()).BodyText);
        Assert.Equal(3, g.Plane.FastPath!.Requests);
        Assert.Equal(0, g.Plane.FastPath.HandOffs);
    }

    [Fact]
    public async Task Request_header_modifiers_apply_as_on_the_full_pipeline()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var rule = new HttpRuleIr
        {
            Name = "r",
            Backends = new[]
            {
                new WeightedBackendIr
                {
                    BackendId = "ns/e:80", Weight = 1,
                    Filters = new[] { new HttpFilterIr { RequestHeaders = new HeaderModifierIr { Add = Kv(("X-Add", "t")) } } },
                },
            },
            Filters = new[] { new HttpFilterIr { RequestHeaders = new HeaderModifierIr { Set = Kv(("x-set", "s")), Add = Kv(("X-Add", "r"), ("x-fresh", "f")), Remove = new[] { "X-Remove" } } } },
        };
        var gw = Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", rule)))], Backend("ns/e:80", echo));
        await using var fast = await TestGateway.StartAsync(gw);
        await using var slow = await TestGateway.StartAsync(TestGateway.Options with { Http1FastPath = false }, gw);
        (string, string)[] headers = [("X-Set", "old"), ("x-add", "c"), ("x-remove", "gone"), ("x-keep", "k")];
        var a = await fast.EchoAsync("h", "/", headers);
        var b = await slow.EchoAsync("h", "/", headers);
        Assert.Equal(1, fast.Plane.FastPath!.Requests);
        Assert.Equal("s", a.Headers["x-set"]);
        Assert.Equal("c,r,t", a.Headers["x-add"]);
        Assert.False(a.Headers.ContainsKey("x-remove"));
        foreach (var name in new[] { "x-set", "x-add", "x-fresh", "x-keep" }) Assert.Equal(b.Headers[name], a.Headers[name]);
        Assert.Equal(b.Headers.ContainsKey("x-remove"), a.Headers.ContainsKey("x-remove"));
    }

    [Fact]
    public async Task Weighted_targets_follow_the_weights()
    {
        await using var one = new RawBackend(_ => (RawBackend.Ok("1"), false));
        await using var three = new RawBackend(_ => (RawBackend.Ok("3"), false));
        var gw = Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", Rule("r", ("ns/one:80", 1), ("ns/three:80", 3)))))],
            Backend("ns/one:80", one.Port), Backend("ns/three:80", three.Port));
        await using var g = await TestGateway.StartAsync(gw);
        await using var c = await RawClient.ConnectAsync(g.Port);
        var counts = new int[4];
        for (var i = 0; i < 400; i++)
        {
            await c.SendAsync("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            counts[int.Parse((await c.ReadResponseAsync()).BodyText, System.Globalization.CultureInfo.InvariantCulture)]++;
        }
        Assert.InRange(counts[1], 60, 150);
        Assert.Equal(400, counts[1] + counts[3]);
        Assert.Equal(400, g.Plane.FastPath!.Requests);
    }

    [Fact]
    public async Task Backend_failures_answer_503_and_502_like_the_full_pipeline()
    {
        // Connection refused: a port that was just free.
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var refused = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var bad = new RawBackend(_ => ("NOT HTTP\r\n\r\n", true));
        var gw = Gateway("ns/gw", [HttpPort(Host("*",
                Prefix("/none", To("ns/none:80", "none")),
                Prefix("/refused", To("ns/refused:80", "refused")),
                Prefix("/bad", To("ns/bad:80", "bad"))))],
            new BackendIr { Id = "ns/none:80" }, Backend("ns/refused:80", refused), Backend("ns/bad:80", bad.Port));
        await using var g = await TestGateway.StartAsync(gw);
        await using var c = await RawClient.ConnectAsync(g.Port);
        foreach (var (path, status) in new[] { ("/none", 503), ("/refused", 503), ("/bad", 502), ("/none", 503) })
        {
            await c.SendAsync($"GET {path} HTTP/1.1\r\nHost: h\r\n\r\n");
            var r = await c.ReadResponseAsync();
            Assert.Equal(status, r.Status);
            Assert.Equal("0", r.Header("content-length"));
        }
        Assert.Equal(4, g.Plane.FastPath!.Requests);
        Assert.Equal(0, g.Plane.FastPath.HandOffs);
    }

    [Fact]
    public async Task A_backend_closing_idle_connections_does_not_fail_requests()
    {
        // Keep-alive is announced but the backend closes right after each response.
        await using var b = new RawBackend(_ => (RawBackend.Ok("x"), true));
        await using var g = await TestGateway.StartAsync(OneRoute(b.Port));
        await using var c = await RawClient.ConnectAsync(g.Port);
        for (var i = 0; i < 6; i++)
        {
            await c.SendAsync("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            Assert.Equal(200, (await c.ReadResponseAsync()).Status);
            if (i % 2 == 1) await Task.Delay(50);
        }
        Assert.Equal(6, b.Connections);
    }

    [Fact]
    public async Task Client_connection_close_is_honoured()
    {
        await using var b = new RawBackend(_ => (RawBackend.Ok("x"), false));
        await using var g = await TestGateway.StartAsync(OneRoute(b.Port));
        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        var r = await c.ReadResponseAsync();
        Assert.Equal("close", r.Header("connection"));
        Assert.True(await c.IsClosedAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, g.Plane.FastPath!.Requests);
    }
}
