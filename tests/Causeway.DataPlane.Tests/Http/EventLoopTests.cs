using System.Net;
using System.Text;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Http;

/// <summary>
/// The fast path's event loops (Http/FastPath/EventLoop) on cleartext ports: what they relay themselves, what they hand
/// to Kestrel (and the Kestrel-side fast path or the full pipeline) with the bytes already read, and that clients
/// cannot tell the difference. The relay semantics themselves are covered by FastPathTests, which run on the loops too.
/// </summary>
public sealed class EventLoopTests
{
    [Fact]
    public async Task Keep_alive_requests_are_served_by_the_loops_and_switching_them_off_serves_the_same()
    {
        Assert.True(Native.IsSupported, "the event loop runs on Linux x86-64 and arm64; CI runs there");
        await using var b = new RawBackend(head => (RawBackend.Ok("hi " + head.Split(' ')[1]), false));
        await using var loop = await TestGateway.StartAsync(OneRoute(b.Port));
        await using var kestrel = await TestGateway.StartAsync(TestGateway.Options with { Http1EventLoop = false }, OneRoute(b.Port));
        foreach (var g in new[] { loop, kestrel })
        {
            await using var c = await RawClient.ConnectAsync(g.Port);
            for (var i = 0; i < 4; i++)
            {
                await c.SendAsync($"GET /r{i} HTTP/1.1\r\nHost: example.com\r\n\r\n");
                var r = await c.ReadResponseAsync();
                Assert.Equal(200, r.Status);
                Assert.Equal($"hi /r{i}", r.BodyText);
            }
            Assert.Equal(4, g.Plane.FastPath!.Requests);
        }
        Assert.Equal(4, loop.Plane.FastPath!.LoopRequests);
        Assert.Equal(0, loop.Plane.FastPath.LoopHandOffs);
        Assert.Equal(0, kestrel.Plane.FastPath!.LoopRequests);
        // Both relayed over one pooled backend connection each.
        Assert.Equal(2, b.Connections);
    }

    [Fact]
    public async Task Heads_with_many_fields_are_relayed_whole_both_ways_and_the_next_request_starts_clean()
    {
        // Field lists grow as heads need them (16 at first, up to 100 per request and 200 per response).
        var responseFields = string.Concat(Enumerable.Range(0, 150).Select(i => $"X-R{i}: r{i}\r\n"));
        await using var b = new RawBackend(head => (head.Contains("/many") ? RawBackend.Ok("many", responseFields) : RawBackend.Ok("few"), false));
        await using var g = await TestGateway.StartAsync(OneRoute(b.Port));
        await using var c = await RawClient.ConnectAsync(g.Port);
        var requestFields = string.Concat(Enumerable.Range(0, 90).Select(i => $"X-Q{i}: q{i}\r\n"));
        await c.SendAsync($"GET /many HTTP/1.1\r\nHost: example.com\r\n{requestFields}\r\n");
        var many = await c.ReadResponseAsync();
        Assert.Equal(200, many.Status);
        for (var i = 0; i < 150; i++) Assert.Equal($"r{i}", many.Header($"x-r{i}"));
        Assert.True(b.Requests.TryDequeue(out var forwarded));
        for (var i = 0; i < 90; i++) Assert.Contains($"X-Q{i}: q{i}\r\n", forwarded);
        await c.SendAsync("GET /few HTTP/1.1\r\nHost: example.com\r\nX-Only: one\r\n\r\n");
        var few = await c.ReadResponseAsync();
        Assert.Equal("few", few.BodyText);
        Assert.Null(few.Header("x-r0"));
        Assert.True(b.Requests.TryDequeue(out var second));
        Assert.DoesNotContain("X-Q0", second);
        Assert.Equal(2, g.Plane.FastPath!.LoopRequests);
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
    }

    [Fact]
    public async Task Requests_the_loop_does_not_relay_are_handed_to_kestrel_mid_connection_with_their_bytes()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(EchoGateway(echo));
        await using var c = await RawClient.ConnectAsync(g.Port);

        // 1: relayed by the loop.
        await c.SendAsync("GET /first HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Contains("\"/first\"", (await c.ReadResponseAsync()).BodyText);
        // 2: a body larger than the loop buffers: handed to Kestrel, where the connection-level fast path streams it.
        var body = new string('x', 200_000);
        await c.SendAsync($"POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        var big = await c.ReadResponseAsync();
        Assert.Equal("200000", big.Header("x-echo-body-length"));
        // 3: a redirect on the same (now Kestrel's) connection: the Kestrel-side relay answers it from the same plan.
        await c.SendAsync("GET /redirect HTTP/1.1\r\nHost: h\r\n\r\n");
        var moved = await c.ReadResponseAsync();
        Assert.Equal(301, moved.Status);
        Assert.StartsWith("http://elsewhere.example", moved.Header("location"));
        // 4: a Host edit (a step only the Kestrel pipeline runs) with a rewrite: the full pipeline answers.
        await c.SendAsync("GET /rewrite/y HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.Contains("\"/rewritten/y\"", (await c.ReadResponseAsync()).BodyText);

        var fast = g.Plane.FastPath!;
        Assert.Equal(1, fast.LoopRequests);
        Assert.Equal(1, fast.LoopHandOffs);
        Assert.Equal(3, fast.Requests); // the loop's one, the Kestrel-side fast path's upload and its redirect
        Assert.Equal(1, fast.HandOffs); // the rewrite went on to the full pipeline
    }

    [Fact]
    public async Task A_head_and_small_body_arriving_in_pieces_are_relayed_by_the_loop()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(OneRoute(echo));
        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync("POST /pieces HTTP/1.1\r\nHo");
        await Task.Delay(150);
        await c.SendAsync("st: h\r\nContent-Length: 10\r\n\r\n01234");
        await Task.Delay(150);
        await c.SendAsync("56789");
        var r = await c.ReadResponseAsync();
        Assert.Equal(200, r.Status);
        Assert.Equal("10", r.Header("x-echo-body-length"));
        Assert.Equal(1, g.Plane.FastPath!.LoopRequests);
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
    }

    [Fact]
    public async Task A_head_that_stalls_is_handed_to_kestrel_and_served_there_once_it_completes()
    {
        await using var b = new RawBackend(head => (RawBackend.Ok("late " + head.Split(' ')[1]), false));
        var options = TestGateway.Options with { RequestHeadersTimeout = TimeSpan.FromSeconds(20) };
        await using var g = await TestGateway.StartAsync(options, OneRoute(b.Port));
        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync("GET /slow HTTP/1.1\r\nHost: h\r\n");
        // The loop waits at most 2 s for the rest of a head, then gives the connection (and the bytes) to Kestrel.
        for (var i = 0; i < 100 && g.Plane.FastPath!.LoopHandOffs == 0; i++) await Task.Delay(50);
        Assert.Equal(1, g.Plane.FastPath!.LoopHandOffs);
        Assert.Empty(b.Requests);
        await c.SendAsync("X-Late: 1\r\n\r\n");
        var r = await c.ReadResponseAsync();
        Assert.Equal(200, r.Status);
        Assert.Equal("late /slow", r.BodyText);
        Assert.Contains("X-Late: 1\r\n", b.Requests.Single());
        Assert.Equal(0, g.Plane.FastPath.LoopRequests);
    }

    [Fact]
    public async Task Stopping_lets_an_in_flight_response_finish_with_connection_close_then_closes()
    {
        await using var b = new RawBackend(_ =>
        {
            Thread.Sleep(700); // the response is still on its way when the stop begins
            return (RawBackend.Ok("finished"), false);
        });
        var g = await TestGateway.StartAsync(TestGateway.Options with { DrainTimeout = TimeSpan.FromSeconds(10) }, OneRoute(b.Port));
        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
        for (var i = 0; i < 100 && b.Requests.IsEmpty; i++) await Task.Delay(10);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var stop = g.DisposeAsync().AsTask();
        var r = await c.ReadResponseAsync();
        Assert.Equal("finished", r.BodyText);
        Assert.Equal("close", r.Header("connection"));
        Assert.True(await c.IsClosedAsync(TimeSpan.FromSeconds(5)));
        await stop;
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"stop took {sw.Elapsed}");
    }

    [Fact]
    public async Task Many_concurrent_clients_on_several_loops_all_get_their_own_answers()
    {
        await using var b = new RawBackend(head => (RawBackend.Ok(head.Split(' ')[1]), false));
        var options = TestGateway.Options with { Http1EventLoopThreads = 3 };
        await using var g = await TestGateway.StartAsync(options, OneRoute(b.Port));
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 24 });
        var tasks = Enumerable.Range(0, 400).Select(async i =>
        {
            using var r = await client.GetAsync($"http://127.0.0.1:{g.Port}/n{i}");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal($"/n{i}", await r.Content.ReadAsStringAsync());
        });
        await Task.WhenAll(tasks);
        Assert.Equal(400, g.Plane.FastPath!.LoopRequests);
    }
}
