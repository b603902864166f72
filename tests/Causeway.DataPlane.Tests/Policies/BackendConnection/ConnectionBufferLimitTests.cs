using System.Net;
using System.Security.Cryptography;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies.BackendConnection;

/// <summary>
/// BackendTrafficPolicy <c>connection.bufferLimit</c> on HTTP routes: the backend connection's buffers are bounded by the
/// limit (the relay's socket pipes pause beyond it, the event loop reads the backend in buffers no larger), and bodies far
/// larger than the limit still arrive intact, both ways, on every transport.
/// </summary>
public sealed class ConnectionBufferLimitTests
{
    private const int Limit = 4096;

    private static GatewayIr Gateway(int backendPort) =>
        Support.Ir.Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/b:80", "httproute/ns/r/rule/0") with
        {
            BackendTraffic = new BackendTrafficPolicyIr { Policy = "ns/buf", ConnectionBufferLimit = Limit },
        })))], Backend("ns/b:80", backendPort) with
        {
            // What the translator folds into the backend's connection settings from the policies reaching it.
            Connection = new BackendConnectionIr { BufferLimit = Limit },
        });

    [Theory]
    [InlineData("loop")]
    [InlineData("relay")]
    [InlineData("h2")]
    public async Task A_response_far_larger_than_the_limit_arrives_intact(string transport)
    {
        var body = RandomNumberGenerator.GetHexString(1 << 20); // 1 MiB, 256 times the limit
        await using var backend = new RawBackend(head => (RawBackend.Ok(head.StartsWith("POST", StringComparison.Ordinal) ? "posted" : body), false));
        var options = transport == "relay" ? TestGateway.Options with { Http1EventLoop = false } : TestGateway.Options;
        await using var g = await TestGateway.StartAsync(options, Gateway(backend.Port));
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
        var version = transport == "h2" ? HttpVersion.Version20 : HttpVersion.Version11;
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{g.Port}/big") { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            request.Headers.Host = "h";
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(body, await response.Content.ReadAsStringAsync());
        }
        // A request body larger than the limit goes through too (the relay's backend pipe makes the writer wait).
        var upload = new string('u', 200_000);
        using (var post = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{g.Port}/up") { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact, Content = new StringContent(upload) })
        {
            post.Headers.Host = "h";
            using var response = await client.SendAsync(post);
            Assert.Equal("posted", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(3, backend.Requests.Count);
        if (transport != "h2")
        {
            var pool = g.Plane.FastPath!.Pools.Find("127.0.0.1", backend.Port)!;
            Assert.Equal(Limit, pool.BufferLimit);
            var fast = g.Plane.FastPath!;
            if (Native.IsSupported && transport == "loop") Assert.Equal(2, fast.LoopRequests); // the upload (over 64 KiB) is handed on
            if (transport == "relay") Assert.Equal(3, fast.Requests);
        }
    }
}
