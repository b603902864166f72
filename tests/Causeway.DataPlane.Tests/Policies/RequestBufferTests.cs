using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Policies.PolicyIr;

namespace Causeway.DataPlane.Tests.Policies;

/// <summary>BackendTrafficPolicy <c>requestBuffer.limit</c>: bodies over the limit get 413, the rest reach the backend whole.</summary>
public sealed class RequestBufferTests
{
    private static BackendTrafficPolicyIr Policy => new() { Policy = "ns/buffer", RequestBufferLimit = 1024 };

    [Fact]
    public async Task The_event_loop_refuses_a_content_length_over_the_limit_and_forwards_the_rest()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, Policy));
        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync("POST /limited HTTP/1.1\r\nHost: h\r\nContent-Length: 2000\r\n\r\n" + new string('x', 2000));
        var refused = await c.ReadResponseAsync();
        Assert.Equal(413, refused.Status);
        Assert.Equal("Payload Too Large", refused.BodyText);
        await c.SendAsync("POST /limited HTTP/1.1\r\nHost: h\r\nContent-Length: 1024\r\n\r\n" + new string('y', 1024));
        Assert.Equal(200, (await c.ReadResponseAsync()).Status);
        await c.SendAsync("POST /free HTTP/1.1\r\nHost: h\r\nContent-Length: 2000\r\n\r\n" + new string('z', 2000));
        Assert.Equal(200, (await c.ReadResponseAsync()).Status); // a route without the policy takes any size
        Assert.Equal(2, echo.RequestCount);
        Assert.Contains(echo.Bodies, b => b.Path == "/limited" && b.Body == new string('y', 1024));
        if (Native.IsSupported) Assert.Equal(0, g.Plane.FastPath!.LoopHandOffs);
    }

    [Theory]
    [InlineData("h2")]
    [InlineData("h2-loop")]
    [InlineData("chunked")]
    public async Task Unsized_bodies_are_buffered_and_refused_over_the_limit(string how)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        // h2: Kestrel's pipeline (the loop's HTTP/2 off); h2-loop: the event loop's own HTTP/2; chunked: HTTP/1.1 handed to Kestrel.
        await using var g = await TestGateway.StartAsync(TestGateway.Options with { LoopHttp2 = how == "h2-loop" }, Gateway(echo, Policy));
        using var client = new HttpClient();
        async Task<HttpResponseMessage> Post(int size)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{g.Port}/limited")
            {
                Version = how.StartsWith("h2", StringComparison.Ordinal) ? HttpVersion.Version20 : HttpVersion.Version11,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                // A stream without a length: DATA frames on HTTP/2, chunked on HTTP/1.1.
                Content = new StreamContent(new UnsizedStream(new byte[size])),
            };
            request.Headers.Host = "h";
            return await client.SendAsync(request);
        }
        using var big = await Post(4000);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        using var small = await Post(1000);
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Equal(1, echo.RequestCount);
        Assert.Equal(1000, echo.Bodies.Single().Body.Length);
    }

    /// <summary>A readable stream that will not tell its length, so the client cannot send a Content-Length.</summary>
    private sealed class UnsizedStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
