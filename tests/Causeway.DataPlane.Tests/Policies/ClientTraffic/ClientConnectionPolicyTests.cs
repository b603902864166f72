using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Causeway.DataPlane.Tests.L4;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies.ClientTraffic;

/// <summary>
/// ClientTrafficPolicy timeouts and connection reuse limits through real sockets, as a client sees them: a request head
/// or a whole request that does not arrive in time gets Envoy's <c>408 request timeout</c> and the connection closes; an
/// idle connection is closed; the response to a connection's last request (by count or age) says
/// <c>Connection: close</c> and the connection closes. Transports: the event loop (cleartext), the HTTP/1.1 relay on
/// TLS, and the Kestrel pipeline (fast path off; HTTP/2 for decisions). TCP ports: <c>timeout.tcp.idleTimeout</c>.
/// </summary>
public sealed class ClientConnectionPolicyTests
{
    /// <summary>Where the test's requests are served.</summary>
    public enum Transport { Loop, Relay, Tls, Kestrel }

    private static readonly TestCert Ca = TestCerts.CreateCa("ctp-conn-ca");
    private static readonly TestCert Leaf = TestCerts.CreateLeaf(Ca, "h", "h");

    private static GatewayIr Gateway(EchoBackend echo, Transport transport, ClientConnectionIr connection, BackendTrafficPolicyIr? slow = null)
    {
        var listener = Listener("ns/gw/l", null, Host("*",
            Prefix("/slow", To("ns/e:80", "httproute/ns/slow/rule/0") with { BackendTraffic = slow }),
            Prefix("/", To("ns/e:80", "httproute/ns/web/rule/0"))));
        if (transport == Transport.Tls) listener = listener with { Certificates = new[] { Leaf.ToIr("h") } };
        var port = Port(transport == Transport.Tls ? PortProtocol.Https : PortProtocol.Http, 0, listener) with { Connection = connection };
        return Support.Ir.Gateway("ns/gw", [port], Backend("ns/e:80", echo));
    }

    private static DataPlaneOptions Options(Transport transport) => transport switch
    {
        Transport.Relay => TestGateway.Options with { Http1EventLoop = false },
        Transport.Kestrel => TestGateway.Options with { Http1FastPath = false },
        _ => TestGateway.Options,
    };

    private static ClientConnectionIr Connection() => new() { Policy = "ns/ctp" };

    private static BackendTrafficPolicyIr Delay(int ms) =>
        new() { Policy = "ns/fault", FaultDelay = new FaultDelayIr { Delay = TimeSpan.FromMilliseconds(ms) } };

    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Relay)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.Kestrel)]
    public async Task A_request_head_that_does_not_arrive_in_time_gets_408_and_the_connection_closes(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var connection = Connection() with { RequestHeadersTimeout = TimeSpan.FromMilliseconds(400) };
        await using var g = await TestGateway.StartAsync(Options(transport), Gateway(echo, transport, connection));
        await using var c = await Client.ConnectAsync(g.Port, transport == Transport.Tls);
        // A whole head in time is served, and the connection stays open.
        var ok = await c.GetAsync("/a");
        Assert.Equal(200, ok.Status);
        Assert.Null(ok.Header("connection"));
        var watch = Stopwatch.StartNew();
        await c.SendAsync("GET /b HTTP/1.1\r\nHost: h\r\n"); // never finished
        var r = await c.ReadResponseAsync();
        Assert.Equal(408, r.Status);
        Assert.True(watch.ElapsedMilliseconds >= 350, $"answered after {watch.ElapsedMilliseconds} ms");
        Assert.Equal("close", r.Header("connection"));
        if (transport != Transport.Kestrel) Assert.Equal("request timeout", r.BodyText); // Kestrel answers its own 408
        Assert.True(await c.IsClosedAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(["/a"], echo.Received.Select(e => e.Path));
        if (transport == Transport.Loop && Native.IsSupported) Assert.Equal(0, g.Plane.FastPath!.LoopHandOffs);
    }

    /// <summary>
    /// <c>requestReceivedTimeout</c> bounds the body as well (Envoy's request timeout runs until the whole request is
    /// received): a client that sends the head and then trickles its body gets 408 and the connection closes, on every
    /// transport (the relay and Kestrel stream the body: the backend saw the head, its connection is dropped).
    /// </summary>
    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Relay)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.Kestrel)]
    public async Task A_request_body_that_does_not_arrive_in_time_gets_408(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var connection = Connection() with { RequestReceivedTimeout = TimeSpan.FromMilliseconds(400) };
        await using var g = await TestGateway.StartAsync(Options(transport), Gateway(echo, transport, connection));
        await using var c = await Client.ConnectAsync(g.Port, transport == Transport.Tls);
        var watch = Stopwatch.StartNew();
        await c.SendAsync("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nonly ten b");
        await Task.Delay(150);
        await c.SendAsync("ten more b"); // still trickling: the deadline counts from the head, not from the last byte
        var r = await c.ReadResponseAsync();
        Assert.Equal(408, r.Status);
        Assert.InRange(watch.ElapsedMilliseconds, 350, 5000);
        Assert.Equal("request timeout", r.BodyText);
        Assert.Equal("close", r.Header("connection"));
        Assert.True(await c.IsClosedAsync(TimeSpan.FromSeconds(5)));
        if (transport == Transport.Loop)
        {
            Assert.Equal(0, echo.RequestCount);
            if (Native.IsSupported) Assert.Equal(0, g.Plane.FastPath!.LoopHandOffs);
        }
        if (transport is Transport.Relay or Transport.Tls) Assert.Equal(0, g.Plane.FastPath!.HandOffs);
    }

    /// <summary>
    /// The timeout ends when the whole request is in: a body received in time is served even when the backend then
    /// takes longer than the timeout to answer, and the connection stays open for the next request.
    /// </summary>
    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Relay)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.Kestrel)]
    public async Task A_request_body_received_in_time_is_served_however_long_the_backend_takes(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        // (Kestrel knows the body is in when YARP has read it, after connecting upstream: a loaded machine needs the margin.)
        var connection = Connection() with { RequestReceivedTimeout = TimeSpan.FromMilliseconds(1000) };
        await using var g = await TestGateway.StartAsync(Options(transport), Gateway(echo, transport, connection));
        await using var c = await Client.ConnectAsync(g.Port, transport == Transport.Tls);
        await c.SendAsync("POST /a HTTP/1.1\r\nHost: h\r\nx-echo-delay-ms: 1500\r\nContent-Length: 20\r\n\r\nonly ten b");
        await Task.Delay(100);
        await c.SendAsync("ten more b");
        var r = await c.ReadResponseAsync();
        Assert.Equal(200, r.Status);
        Assert.Equal("20", r.Header("x-echo-body-length"));
        Assert.Null(r.Header("connection"));
        Assert.Equal(200, (await c.GetAsync("/b")).Status);
    }

    [Fact]
    public async Task An_http2_request_body_that_does_not_arrive_in_time_gets_408()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var connection = Connection() with { RequestReceivedTimeout = TimeSpan.FromMilliseconds(400) };
        await using var g = await TestGateway.StartAsync(Gateway(echo, Transport.Loop, connection));
        var body = new System.IO.Pipelines.Pipe();
        var request = g.Request("h", "/a");
        request.Method = HttpMethod.Post;
        request.Version = HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        request.Content = new StreamContent(body.Reader.AsStream());
        request.Content.Headers.ContentLength = 100;
        await body.Writer.WriteAsync(Encoding.ASCII.GetBytes("only ten b"));
        var watch = Stopwatch.StartNew();
        using var response = await g.SendAsync(request);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.RequestTimeout, response.StatusCode);
        Assert.InRange(watch.ElapsedMilliseconds, 300, 5000);
        Assert.Equal("request timeout", await response.Content.ReadAsStringAsync());
        await body.Writer.CompleteAsync();
    }

    /// <summary>
    /// <c>connection.socketBufferLimit</c> sizes the kernel buffers of every accepted client socket (read back on the
    /// server's side through the data plane's test hook: Linux reports twice the size asked, well under its defaults),
    /// and <c>connection.bufferLimit</c> bounds what a connection buffers in user space: the event loop hands a body
    /// longer than it to Kestrel instead of buffering it; requests and responses larger than both still go through.
    /// </summary>
    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Relay)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.Kestrel)]
    public async Task Socket_and_connection_buffer_limits_apply_and_large_exchanges_go_through(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        const int socketBuffer = 24 * 1024, bufferLimit = 16 * 1024;
        var connection = Connection() with { SocketBufferLimit = socketBuffer, BufferLimit = bufferLimit };
        var seen = new System.Collections.Concurrent.ConcurrentQueue<(int Receive, int Send)>();
        var options = Options(transport) with { ClientSocketBuffersSet = (r, s) => seen.Enqueue((r, s)) };
        await using var g = await TestGateway.StartAsync(options, Gateway(echo, transport, connection));
        await using var c = await Client.ConnectAsync(g.Port, transport == Transport.Tls);
        // 40 KiB of body (the event loop would buffer it without the limit) and a response of more than 20 KiB (the
        // echo's JSON carries the request's headers).
        var big = new string('b', 20 * 1024);
        var body = new string('x', 40 * 1024);
        await c.SendAsync($"POST /a HTTP/1.1\r\nHost: h\r\nx-big: {big}\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        var r = await c.ReadResponseAsync();
        Assert.Equal(200, r.Status);
        Assert.Equal(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Header("x-echo-body-length"));
        Assert.Contains(big, r.BodyText, StringComparison.Ordinal);
        Assert.Equal(200, (await c.GetAsync("/b")).Status);

        var (receive, send) = Assert.Single(seen);
        Assert.InRange(receive, socketBuffer, 2 * socketBuffer);
        Assert.InRange(send, socketBuffer, 2 * socketBuffer);
        if (transport == Transport.Loop && Native.IsSupported) Assert.Equal(1, g.Plane.FastPath!.LoopHandOffs);

        // Without the limits, nothing is set and the event loop buffers such a body itself.
        await g.ApplyAsync(Gateway(echo, transport, Connection() with { IdleTimeout = TimeSpan.FromSeconds(30) }));
        await using var again = await Client.ConnectAsync(g.Port, transport == Transport.Tls);
        await again.SendAsync($"POST /c HTTP/1.1\r\nHost: h\r\nContent-Length: {body.Length}\r\n\r\n{body}");
        Assert.Equal(200, (await again.ReadResponseAsync()).Status);
        Assert.Single(seen);
        if (transport == Transport.Loop && Native.IsSupported) Assert.Equal(1, g.Plane.FastPath!.LoopHandOffs);
    }

    /// <summary>
    /// Envoy's request timeout runs until the request goes upstream, so a decision that waits (here a fault delay, as
    /// in Envoy Gateway's own e2e case) past it gets 408 and the backend never sees the request.
    /// </summary>
    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Relay)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.Kestrel)]
    public async Task A_decision_that_outlasts_requestReceivedTimeout_gets_408(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var connection = Connection() with { RequestReceivedTimeout = TimeSpan.FromMilliseconds(300) };
        await using var g = await TestGateway.StartAsync(Options(transport), Gateway(echo, transport, connection, Delay(2000)));
        await using (var c = await Client.ConnectAsync(g.Port, transport == Transport.Tls))
        {
            Assert.Equal(200, (await c.GetAsync("/fast")).Status);
            var watch = Stopwatch.StartNew();
            var r = await c.GetAsync("/slow");
            Assert.Equal(408, r.Status);
            Assert.InRange(watch.ElapsedMilliseconds, 250, 1900);
            Assert.Equal("request timeout", r.BodyText);
            Assert.Equal("close", r.Header("connection"));
            Assert.True(await c.IsClosedAsync(TimeSpan.FromSeconds(5)));
        }
        await Task.Delay(2200); // the abandoned delay ends: still nothing goes upstream
        Assert.Equal(["/fast"], echo.Received.Select(e => e.Path));
    }

    [Fact]
    public async Task A_decision_within_requestReceivedTimeout_is_served_and_http2_gets_408_past_it()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var connection = Connection() with { RequestReceivedTimeout = TimeSpan.FromMilliseconds(800) };
        await using var g = await TestGateway.StartAsync(Gateway(echo, Transport.Loop, connection, Delay(200)));
        await using (var c = await Client.ConnectAsync(g.Port, tls: false))
            Assert.Equal(200, (await c.GetAsync("/slow")).Status);
        await g.ApplyAsync(Gateway(echo, Transport.Loop, connection, Delay(3000)));
        var request = g.Request("h", "/slow");
        request.Version = HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        using var response = await g.SendAsync(request);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.RequestTimeout, response.StatusCode);
        Assert.Equal("request timeout", await response.Content.ReadAsStringAsync());
        Assert.Equal(["/slow"], echo.Received.Select(e => e.Path));
    }

    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Relay)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.Kestrel)]
    public async Task Idle_connections_are_closed_after_idleTimeout(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var connection = Connection() with { IdleTimeout = TimeSpan.FromMilliseconds(1000) };
        await using var g = await TestGateway.StartAsync(Options(transport), Gateway(echo, transport, connection));
        await using var c = await Client.ConnectAsync(g.Port, transport == Transport.Tls);
        Assert.Equal(200, (await c.GetAsync("/a")).Status);
        await Task.Delay(200);
        Assert.Equal(200, (await c.GetAsync("/b")).Status); // within the timeout: still open
        var watch = Stopwatch.StartNew();
        Assert.True(await c.IsClosedAsync(TimeSpan.FromSeconds(5)), "the idle connection stayed open");
        // Kestrel checks its keep-alive timeout once a second.
        Assert.True(watch.ElapsedMilliseconds >= 800, $"closed after {watch.ElapsedMilliseconds} ms");
    }

    /// <summary>
    /// HTTP/2 on the loop: the idle timeout runs from the end of the connection's last stream, however long that stream
    /// outlived the timeout armed before it started (the timeout fires while it runs and must be armed again after it).
    /// </summary>
    [Fact]
    public async Task An_http2_connection_idles_out_after_its_last_stream_however_long_that_stream_ran()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var connection = Connection() with { IdleTimeout = TimeSpan.FromMilliseconds(1000) };
        await using var g = await TestGateway.StartAsync(Gateway(echo, Transport.Loop, connection, slow: Delay(1600)));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, g.Port);
        await using var stream = new NetworkStream(socket);
        await stream.WriteAsync((byte[])[.. Causeway.DataPlane.Transports.Http2.Http2Frame.Preface, .. Http2.H2Wire.Settings(),
            .. Http2.H2Wire.Headers(1, Http2.H2Wire.Get("/a"), endStream: true)]);
        await ReadUntilEndOfStream(stream, 1); // the idle timeout is armed from here
        var watch = Stopwatch.StartNew();
        await stream.WriteAsync(Http2.H2Wire.Headers(3, Http2.H2Wire.Get("/slow"), endStream: true));
        await ReadUntilEndOfStream(stream, 3); // 1.6 s: past the timeout armed before it
        Assert.InRange(watch.ElapsedMilliseconds, 1400, 10_000);
        var ended = Stopwatch.StartNew();
        var goAway = false;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(6));
        try
        {
            while (await ReadFrame(stream, cts.Token) is { } frame)
                if (frame.Type == Causeway.DataPlane.Transports.Http2.Http2Frame.GoAway) goAway = true;
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("the connection was still open 6 s after its last stream ended (idle timeout 1 s)");
        }
        Assert.True(goAway, "no GOAWAY before the close");
        Assert.InRange(ended.ElapsedMilliseconds, 700, 4000);
    }

    private static async Task ReadUntilEndOfStream(NetworkStream stream, int id)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await ReadFrame(stream, cts.Token) is { } f)
            if (f.StreamId == id && (f.Type is Causeway.DataPlane.Transports.Http2.Http2Frame.Data or Causeway.DataPlane.Transports.Http2.Http2Frame.Headers)
                && (f.Flags & Causeway.DataPlane.Transports.Http2.Http2Frame.EndStream) != 0)
                return;
        throw new InvalidOperationException($"the connection closed before stream {id} ended");
    }

    /// <summary>The next frame (type, flags, stream), or null when the server closed the connection.</summary>
    private static async Task<(byte Type, byte Flags, int StreamId)?> ReadFrame(NetworkStream stream, CancellationToken ct)
    {
        var head = new byte[9];
        try
        {
            await stream.ReadExactlyAsync(head, ct);
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException)
        {
            return null;
        }
        var length = (head[0] << 16) | (head[1] << 8) | head[2];
        await stream.ReadExactlyAsync(new byte[length], ct);
        return (head[3], head[4], System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(5)) & 0x7fffffff);
    }

    [Fact]
    public async Task Idle_timeout_zero_keeps_connections_open_past_the_default()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var options = TestGateway.Options with { KeepAliveTimeout = TimeSpan.FromMilliseconds(300) };
        await using var g = await TestGateway.StartAsync(options, Gateway(echo, Transport.Loop, Connection() with { IdleTimeout = TimeSpan.Zero }));
        await using var c = await Client.ConnectAsync(g.Port, tls: false);
        Assert.Equal(200, (await c.GetAsync("/a")).Status);
        Assert.False(await c.IsClosedAsync(TimeSpan.FromSeconds(1)));
        Assert.Equal(200, (await c.GetAsync("/b")).Status);
    }

    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Relay)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.Kestrel)]
    public async Task The_response_to_the_last_request_a_connection_may_carry_closes_it(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Options(transport), Gateway(echo, transport, Connection() with { MaxRequestsPerConnection = 2 }));
        for (var round = 0; round < 2; round++)
        {
            await using var c = await Client.ConnectAsync(g.Port, transport == Transport.Tls);
            var first = await c.GetAsync("/1");
            Assert.Equal(200, first.Status);
            Assert.Null(first.Header("connection"));
            var second = await c.GetAsync("/2");
            Assert.Equal(200, second.Status);
            Assert.Equal("close", second.Header("connection"));
            Assert.True(await c.IsClosedAsync(TimeSpan.FromSeconds(5)));
        }
        Assert.Equal(4, echo.RequestCount);
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(0, 1)]
    public async Task An_http2_connection_is_closed_gracefully_after_its_last_request(int maxRequests, int expectedConnections)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var connection = Connection() with { MaxRequestsPerConnection = maxRequests == 0 ? null : maxRequests, IdleTimeout = TimeSpan.FromMinutes(1) };
        await using var g = await TestGateway.StartAsync(Gateway(echo, Transport.Loop, connection));
        var connections = 0;
        using var client = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                Interlocked.Increment(ref connections);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        }) { Timeout = TimeSpan.FromSeconds(15) };
        for (var i = 0; i < 3; i++)
        {
            using var request = g.Request("h", $"/{i}");
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(HttpVersion.Version20, response.Version);
            await Task.Delay(100); // the GOAWAY reaches the client before its next request
        }
        Assert.Equal(expectedConnections, connections);
    }

    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.Kestrel)]
    public async Task A_connection_past_maxConnectionDuration_closes_after_its_next_response(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        // The age counts from the accept (a TLS handshake included, as Envoy counts it): long enough for a handshake and
        // a request on a busy CI machine.
        var connection = Connection() with { MaxConnectionDuration = TimeSpan.FromMilliseconds(1500) };
        await using var g = await TestGateway.StartAsync(Options(transport), Gateway(echo, transport, connection));
        await using (var c = await Client.ConnectAsync(g.Port, transport == Transport.Tls))
        {
            var first = await c.GetAsync("/1");
            Assert.Null(first.Header("connection"));
            await Task.Delay(1800);
            var second = await c.GetAsync("/2");
            Assert.Equal(200, second.Status);
            Assert.Equal("close", second.Header("connection"));
            Assert.True(await c.IsClosedAsync(TimeSpan.FromSeconds(5)));
        }
        // As in Envoy (HTTP/1, safe max connection duration): an idle connection past its age stays open until its next
        // request, whose response closes it.
        await using (var c = await Client.ConnectAsync(g.Port, transport == Transport.Tls))
        {
            Assert.Null((await c.GetAsync("/3")).Header("connection"));
            Assert.False(await c.IsClosedAsync(TimeSpan.FromMilliseconds(1800)));
            Assert.Equal("close", (await c.GetAsync("/4")).Header("connection"));
        }
        Assert.Equal(4, echo.RequestCount);
    }

    [Fact]
    public async Task Tcp_connections_idle_past_the_policy_timeout_are_closed()
    {
        await using var backend = new TestTcpBackend();
        var port = L4TestSupport.Port(PortProtocol.Tcp, L4TestSupport.Listener("gw/tcp", L4TestSupport.Route("tcproute/ns/r", null, ("b", 1))));
        var options = L4TestSupport.FastOptions with { TcpIdleTimeout = TimeSpan.FromHours(1) };
        await using var server = await L4TestSupport.StartAsync(port with { Connection = Connection() with { TcpIdleTimeout = TimeSpan.FromMilliseconds(400) } },
            L4TestSupport.Lookup(L4TestSupport.Backend("b", backend.EndPoint)), options);
        using var client = await L4TestSupport.ConnectAsync(server);
        var stream = client.GetStream();
        using var cts = new CancellationTokenSource(L4TestSupport.TestTimeout);
        await stream.WriteAsync("x"u8.ToArray(), cts.Token);
        var one = new byte[1];
        await L4TestSupport.ReadExactlyAsync(stream, one, cts.Token);
        Assert.Equal((byte)'x', one[0]);
        Assert.True(await L4TestSupport.SeesCloseAsync(stream, TimeSpan.FromSeconds(4)));
        Assert.Equal(1, server.Metrics.Snapshot().ConnectionsIdleClosed);
    }

    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.Kestrel)]
    public async Task A_request_head_over_maxRequestHeaderLimit_gets_431(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Options(transport), Gateway(echo, transport, Connection() with { MaxRequestHeadersBytes = 2048 }));
        await using (var c = await Client.ConnectAsync(g.Port, transport == Transport.Tls))
        {
            await c.SendAsync($"GET /small HTTP/1.1\r\nHost: h\r\nx-pad: {new string('a', 1000)}\r\n\r\n");
            Assert.Equal(200, (await c.ReadResponseAsync()).Status);
            await c.SendAsync($"GET /large HTTP/1.1\r\nHost: h\r\nx-pad: {new string('a', 3000)}\r\n\r\n");
            Assert.Equal(431, (await c.ReadResponseAsync()).Status);
        }
        Assert.Equal(["/small"], echo.Received.Select(e => e.Path));
        // The data plane's own limit (64 KiB) comes back with a policy that sets none.
        await g.ApplyAsync(Gateway(echo, transport, Connection() with { IdleTimeout = TimeSpan.FromMinutes(1) }));
        await using (var c = await Client.ConnectAsync(g.Port, transport == Transport.Tls))
        {
            await c.SendAsync($"GET /large HTTP/1.1\r\nHost: h\r\nx-pad: {new string('a', 3000)}\r\n\r\n");
            Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        }
    }

    /// <summary>
    /// The HTTP/2 settings a client reads in the server's first frames (h2c with prior knowledge): SETTINGS
    /// MAX_CONCURRENT_STREAMS and INITIAL_WINDOW_SIZE, and the connection window in the WINDOW_UPDATE of stream 0.
    /// </summary>
    [Fact]
    public async Task Http2_settings_are_offered_as_the_policy_says()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var connection = Connection() with
        {
            Http2MaxConcurrentStreams = 7,
            Http2InitialStreamWindowSize = 65536,
            Http2InitialConnectionWindowSize = 4 * 1024 * 1024,
        };
        await using var g = await TestGateway.StartAsync(Gateway(echo, Transport.Loop, connection));
        var (streams, window, connectionWindow) = await ReadHttp2SettingsAsync(g.Port);
        Assert.Equal(7u, streams);
        Assert.Equal(65536u, window);
        Assert.Equal(4u * 1024 * 1024, connectionWindow);

        // Without the settings: Kestrel's defaults again (100 streams), for new connections.
        await g.ApplyAsync(Gateway(echo, Transport.Loop, Connection() with { IdleTimeout = TimeSpan.FromMinutes(1) }));
        (streams, window, _) = await ReadHttp2SettingsAsync(g.Port);
        Assert.Equal(100u, streams);
        Assert.NotEqual(65536u, window);
    }

    private static async Task<(uint? Streams, uint? Window, uint? ConnectionWindow)> ReadHttp2SettingsAsync(int port)
    {
        using var tcp = new TcpClient { NoDelay = true };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await tcp.ConnectAsync(IPAddress.Loopback, port, cts.Token);
        var stream = tcp.GetStream();
        await stream.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray().Concat(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 }).ToArray(), cts.Token);
        uint? streams = null, window = null, connectionWindow = null;
        var settingsSeen = false;
        var header = new byte[9];
        for (var frames = 0; frames < 10 && !(settingsSeen && connectionWindow is not null); frames++)
        {
            await stream.ReadExactlyAsync(header, cts.Token);
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            var payload = new byte[length];
            await stream.ReadExactlyAsync(payload, cts.Token);
            var streamId = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(5)) & 0x7fffffff;
            if (header[3] == 4 && (header[4] & 1) == 0)
            {
                settingsSeen = true;
                for (var i = 0; i + 6 <= length; i += 6)
                {
                    var id = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(i));
                    var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(i + 2));
                    if (id == 3) streams = value;
                    if (id == 4) window = value;
                }
            }
            else if (header[3] == 8 && streamId == 0)
            {
                connectionWindow = 65535 + (System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7fffffff);
            }
        }
        Assert.True(settingsSeen, "no SETTINGS frame from the server");
        return (streams, window, connectionWindow);
    }

    /// <summary>An HTTP/1.1 client over plain TCP or TLS: raw requests, one response at a time, EOF detection.</summary>
    private sealed class Client : IAsyncDisposable
    {
        private readonly TcpClient _tcp;
        private readonly Stream _stream;
        private readonly List<byte> _pending = [];

        private Client(TcpClient tcp, Stream stream)
        {
            _tcp = tcp;
            _stream = stream;
        }

        public static async Task<Client> ConnectAsync(int port, bool tls)
        {
            var tcp = new TcpClient { NoDelay = true };
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await tcp.ConnectAsync(IPAddress.Loopback, port, cts.Token);
            if (!tls) return new Client(tcp, tcp.GetStream());
            var ssl = new SslStream(tcp.GetStream());
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "h",
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, cts.Token);
            return new Client(tcp, ssl);
        }

        public async Task SendAsync(string text)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _stream.WriteAsync(Encoding.ASCII.GetBytes(text), cts.Token);
            await _stream.FlushAsync(cts.Token);
        }

        public async Task<RawResponse> GetAsync(string path)
        {
            await SendAsync($"GET {path} HTTP/1.1\r\nHost: h\r\n\r\n");
            return await ReadResponseAsync();
        }

        /// <summary>One response framed by Content-Length (what the gateway and the echo backend send here).</summary>
        public async Task<RawResponse> ReadResponseAsync()
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            int end;
            while ((end = IndexOf("\r\n\r\n"u8)) < 0) await FillAsync(cts.Token);
            var lines = Encoding.ASCII.GetString([.. _pending.GetRange(0, end)]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            _pending.RemoveRange(0, end + 4);
            var headers = lines.Skip(1).Select(l => new KeyValuePair<string, string>(l[..l.IndexOf(':')].ToLowerInvariant(), l[(l.IndexOf(':') + 1)..].Trim())).ToList();
            var response = new RawResponse(lines[0], headers, [], false);
            if (response.Header("transfer-encoding") != "chunked")
                return response with { Body = await TakeAsync(int.Parse(response.Header("content-length") ?? "0", System.Globalization.CultureInfo.InvariantCulture), cts.Token) };
            var chunked = new List<byte>();
            while (true)
            {
                while ((end = IndexOf("\r\n"u8)) < 0) await FillAsync(cts.Token);
                var size = Convert.ToInt32(Encoding.ASCII.GetString([.. _pending.GetRange(0, end)]).Split(';')[0], 16);
                _pending.RemoveRange(0, end + 2);
                chunked.AddRange(await TakeAsync(size + 2, cts.Token));
                chunked.RemoveRange(chunked.Count - 2, 2);
                if (size == 0) return response with { Body = [.. chunked], Chunked = true }; // (no trailers here)
            }
        }

        private async Task<byte[]> TakeAsync(int length, CancellationToken ct)
        {
            while (_pending.Count < length) await FillAsync(ct);
            var body = _pending.GetRange(0, length).ToArray();
            _pending.RemoveRange(0, length);
            return body;
        }

        /// <summary>True when the server closed the connection (EOF or reset) within <paramref name="timeout"/>.</summary>
        public async Task<bool> IsClosedAsync(TimeSpan timeout)
        {
            if (_pending.Count > 0) return false;
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                return await _stream.ReadAsync(new byte[1], cts.Token) == 0;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
            catch (IOException)
            {
                return true;
            }
        }

        private async Task FillAsync(CancellationToken ct)
        {
            var buffer = new byte[4096];
            var n = await _stream.ReadAsync(buffer, ct);
            if (n == 0) throw new IOException("connection closed; got: " + Encoding.ASCII.GetString([.. _pending]));
            _pending.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        private int IndexOf(ReadOnlySpan<byte> pattern)
        {
            for (var i = 0; i + pattern.Length <= _pending.Count; i++)
            {
                var ok = true;
                for (var j = 0; j < pattern.Length && ok; j++) ok = _pending[i + j] == pattern[j];
                if (ok) return i;
            }
            return -1;
        }

        public async ValueTask DisposeAsync()
        {
            await _stream.DisposeAsync();
            _tcp.Dispose();
        }
    }
}
