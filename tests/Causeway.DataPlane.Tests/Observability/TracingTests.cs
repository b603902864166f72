using System.Net;
using System.Net.Http.Json;
using Causeway.DataPlane.Tests.Observability.Otlp;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using OpenTelemetry.Proto.Trace.V1;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Observability;

/// <summary>
/// Distributed tracing through real sockets: a client with a W3C traceparent, the gateway on each transport, the echo
/// backend (which reports the traceparent it got) and a real OTLP receiver built on the official protobuf definitions.
/// </summary>
public sealed class TracingTests
{
    private const string Route = "httproute/ns/r";

    private static GatewayIr TracedGateway(EchoBackend echo, string endpoint, TracingProtocol protocol, double rate, RetryIr? retry = null) =>
        Gateway("ns/gw", [HttpPort(Host("*", Prefix("/app", To("ns/e:80", Route + "/rule/0") with { Retry = retry })))], Backend("ns/e:80", echo)) with
        {
            Tracing = new TracingIr
            {
                Endpoint = endpoint,
                Protocol = protocol,
                SamplingRate = rate,
                ServiceName = "gw.ns",
                CustomTags = new[]
                {
                    new CustomTagIr("team", CustomTagKind.Literal, "edge"),
                    new CustomTagIr("tenant", CustomTagKind.RequestHeader, "x-tenant", "none"),
                },
            },
        };

    private static HttpClient Client(Version version) => new(new SocketsHttpHandler { UseProxy = false, ActivityHeadersPropagator = null })
    {
        DefaultRequestVersion = version,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(20),
    };

    private static string NewTraceId() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

    private static string NewSpanId() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8]);

    private static async Task<(HttpStatusCode Status, EchoReply? Echo)> GetAsync(HttpClient client, int port, string path, string? traceparent,
        string? tracestate = null, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}{path}");
        request.Version = client.DefaultRequestVersion;
        request.VersionPolicy = client.DefaultVersionPolicy;
        request.Headers.Host = "h";
        request.Headers.TryAddWithoutValidation("x-tenant", "acme");
        if (traceparent is not null) request.Headers.TryAddWithoutValidation("traceparent", traceparent);
        if (tracestate is not null) request.Headers.TryAddWithoutValidation("tracestate", tracestate);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await client.SendAsync(request);
        Assert.Equal(request.Version, response.Version);
        return (response.StatusCode, response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<EchoReply>() : null);
    }

    [Theory]
    [InlineData(true, TracingProtocol.Grpc)]
    [InlineData(false, TracingProtocol.HttpProtobuf)]
    public async Task Http1_spans_reach_the_collector_and_the_backend_continues_the_trace(bool eventLoop, TracingProtocol protocol)
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var echo = await EchoBackend.StartAsync("e");
        var endpoint = protocol == TracingProtocol.Grpc ? receiver.GrpcEndpoint : receiver.HttpEndpoint;
        var options = TestGateway.Options with { Http1EventLoop = eventLoop };
        await using var g = await TestGateway.StartAsync(options, TracedGateway(echo, endpoint, protocol, rate: 0));
        using var client = Client(HttpVersion.Version11);
        var transport = eventLoop ? "event-loop" : "http1-relay";
        await AssertTracedAsync(g, receiver, client, transport);
    }

    [Fact]
    public async Task Http2_requests_through_kestrel_are_traced_the_same_way()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { LoopHttp2 = false },
            TracedGateway(echo, receiver.GrpcEndpoint, TracingProtocol.Grpc, rate: 0));
        using var client = Client(HttpVersion.Version20);
        await AssertTracedAsync(g, receiver, client, "kestrel");
    }

    [Fact]
    public async Task Http2_requests_on_the_loop_are_traced_the_same_way()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(TracedGateway(echo, receiver.GrpcEndpoint, TracingProtocol.Grpc, rate: 0));
        using var client = Client(HttpVersion.Version20);
        await AssertTracedAsync(g, receiver, client, "event-loop");
    }

    [Fact]
    public async Task Sampling_rate_100_starts_a_trace_for_requests_without_a_parent()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(TracedGateway(echo, receiver.GrpcEndpoint, TracingProtocol.Grpc, rate: 100));
        using var client = Client(HttpVersion.Version11);
        var (status, seen) = await GetAsync(client, g.Port, "/app/new", traceparent: null);
        Assert.Equal(HttpStatusCode.OK, status);
        var sent = seen!.Headers["traceparent"];
        var parts = sent.Split('-');
        Assert.Equal(4, parts.Length);
        Assert.Equal("01", parts[3]);
        var spans = await receiver.WaitForTraceAsync(parts[1], 2, g.Plane.Tracers.ForceFlush);
        var server = Assert.Single(spans, s => s.Span.Kind == Span.Types.SpanKind.Server);
        var upstream = Assert.Single(spans, s => s.Span.Kind == Span.Types.SpanKind.Client);
        Assert.True(server.Span.ParentSpanId.IsEmpty);
        Assert.Equal(server.SpanId, upstream.ParentSpanId);
        Assert.Equal(upstream.SpanId, parts[2]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Each_upstream_attempt_has_its_client_span_and_the_backend_sees_the_last_one(bool h2)
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        await using var echo = await EchoBackend.StartAsync("e");
        var retry = new RetryIr { Codes = new[] { 500 }, Attempts = 2 };
        await using var g = await TestGateway.StartAsync(TracedGateway(echo, receiver.GrpcEndpoint, TracingProtocol.Grpc, rate: 0, retry));
        using var client = Client(h2 ? HttpVersion.Version20 : HttpVersion.Version11);
        var traceId = NewTraceId();
        // The echo backend fails its first two requests: three attempts, the last one answers 200.
        var (status, seen) = await GetAsync(client, g.Port, "/app/retry", $"00-{traceId}-{NewSpanId()}-01", null, ("x-echo-fail-first", "2"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3, echo.RequestCount);

        var spans = await receiver.WaitForTraceAsync(traceId, 4, g.Plane.Tracers.ForceFlush);
        var server = Assert.Single(spans, s => s.Span.Kind == Span.Types.SpanKind.Server);
        // The event loop retries its requests itself, HTTP/1.1 and HTTP/2 alike.
        Assert.Equal("event-loop", server.Attribute("causeway.transport"));
        var attempts = spans.Where(s => s.Span.Kind == Span.Types.SpanKind.Client).OrderBy(s => s.Span.StartTimeUnixNano).ToList();
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(server.SpanId, a.ParentSpanId));
        Assert.Equal([null, "1", "2"], attempts.Select(a => a.Attribute("http.request.resend_count")));
        Assert.Equal(Status.Types.StatusCode.Error, attempts[0].Span.Status.Code);
        Assert.Equal(Status.Types.StatusCode.Error, attempts[1].Span.Status.Code);
        Assert.Equal("200", attempts[2].Attribute("http.response.status_code"));
        Assert.Equal($"00-{traceId}-{attempts[2].SpanId}-01", seen!.Headers["traceparent"]);
        Assert.Equal(3, attempts.Select(a => a.SpanId).Distinct().Count());
    }

    /// <summary>
    /// Sampled parent: SERVER span named "GET route" whose parent is the client's span, one CLIENT span its child, the
    /// backend's traceparent naming the CLIENT span, tracestate passed on. Unmatched: a SERVER span named "GET".
    /// Unsampled parent and no parent (rate 0): nothing exported, the backend gets the client's traceparent unchanged.
    /// </summary>
    private static async Task AssertTracedAsync(TestGateway g, OtlpReceiver receiver, HttpClient client, string transport)
    {
        var unsampledTrace = NewTraceId();
        var unsampled = $"00-{unsampledTrace}-{NewSpanId()}-00";
        var (status, seen) = await GetAsync(client, g.Port, "/app/quiet", unsampled);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(unsampled, seen!.Headers["traceparent"]);
        (status, seen) = await GetAsync(client, g.Port, "/app/none", traceparent: null);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(seen!.Headers.ContainsKey("traceparent"));

        var traceId = NewTraceId();
        var clientSpan = NewSpanId();
        (status, seen) = await GetAsync(client, g.Port, "/app/x", $"00-{traceId}-{clientSpan}-01", "vendor=abc");
        Assert.Equal(HttpStatusCode.OK, status);
        var continued = seen!.Headers["traceparent"];
        Assert.Equal("vendor=abc", seen.Headers["tracestate"]);

        var missTrace = NewTraceId();
        (status, _) = await GetAsync(client, g.Port, "/nowhere", $"00-{missTrace}-{NewSpanId()}-01");
        Assert.Equal(HttpStatusCode.NotFound, status);

        var spans = await receiver.WaitForTraceAsync(traceId, 2, g.Plane.Tracers.ForceFlush);
        var server = Assert.Single(spans, s => s.Span.Kind == Span.Types.SpanKind.Server);
        var upstream = Assert.Single(spans, s => s.Span.Kind == Span.Types.SpanKind.Client);
        Assert.Equal(2, spans.Count);
        Assert.Equal("GET " + Route, server.Span.Name);
        Assert.Equal(clientSpan, server.ParentSpanId);
        Assert.Equal(transport, server.Attribute("causeway.transport"));
        Assert.Equal("200", server.Attribute("http.response.status_code"));
        Assert.Equal(Route, server.Attribute("http.route"));
        Assert.Equal("edge", server.Attribute("team"));
        Assert.Equal("acme", server.Attribute("tenant"));
        Assert.Equal("vendor=abc", server.Span.TraceState);
        Assert.Equal("gw.ns", server.ServiceName);
        Assert.Equal(server.SpanId, upstream.ParentSpanId);
        Assert.Equal("ns/e:80", upstream.Attribute("causeway.backend"));
        Assert.True(upstream.Span.StartTimeUnixNano >= server.Span.StartTimeUnixNano);
        Assert.True(upstream.Span.EndTimeUnixNano <= server.Span.EndTimeUnixNano);
        // The backend's trace continues from the gateway's CLIENT span: one traceparent, replaced, not appended.
        Assert.Equal($"00-{traceId}-{upstream.SpanId}-01", continued);

        var miss = await receiver.WaitForTraceAsync(missTrace, 1, g.Plane.Tracers.ForceFlush);
        var missServer = Assert.Single(miss);
        Assert.Equal("GET", missServer.Span.Name);
        Assert.Equal(Span.Types.SpanKind.Server, missServer.Span.Kind);
        Assert.Equal("404", missServer.Attribute("http.response.status_code"));

        g.Plane.Tracers.ForceFlush();
        Assert.DoesNotContain(receiver.Spans, s => s.TraceId == unsampledTrace);
        Assert.Equal(3, receiver.Spans.Count); // nothing for the unsampled and the parentless request
    }
}
