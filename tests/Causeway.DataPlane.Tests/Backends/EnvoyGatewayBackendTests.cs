using System.Net;
using Causeway.DataPlane.Tests.EndToEnd;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Backends;

/// <summary>
/// Envoy Gateway Backends as a client sees them: examples/eg-policies/backend through <c>causeway run</c> (by IP, by
/// FQDN <c>localhost</c>, by Unix socket; HTTP/1.1 on the event loop and HTTP/2 through Kestrel + YARP), and a Unix
/// socket endpoint relayed by the event loop without hand-off.
/// </summary>
public sealed class EnvoyGatewayBackendTests
{
    [Fact]
    public async Task BackendExampleAnswersByIpFqdnAndUnixSocket()
    {
        await using var echo = await EchoBackend.StartAsync("echo");
        await using var uds = await UnixSocketServer.StartAsync();
        await using var run = await CausewayRun.StartAsync("eg-policies/backend", 41, dir =>
        {
            var file = Path.Combine(dir, "backends.yaml");
            var text = File.ReadAllText(file)
                .Replace("port: 3000", $"port: {echo.Port}", StringComparison.Ordinal)
                .Replace("/tmp/causeway-echo.sock", uds.Path, StringComparison.Ordinal);
            File.WriteAllText(file, text);
        });
        using var client = E2e.Client(run.GatewayAddress);

        async Task<(HttpStatusCode Status, string Body, Version Version)> Get(string path, bool http2 = false)
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, "http://backend.example:8081" + path);
            if (http2)
            {
                req.Version = HttpVersion.Version20;
                req.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            }
            using var r = await client.SendAsync(req);
            return (r.StatusCode, await r.Content.ReadAsStringAsync(), r.Version);
        }

        var ip = await Get("/ip/a");
        Assert.Equal(HttpStatusCode.OK, ip.Status);
        Assert.Contains("\"Path\":\"/ip/a\"", ip.Body, StringComparison.Ordinal);
        var fqdn = await Get("/fqdn/b");
        Assert.Equal(HttpStatusCode.OK, fqdn.Status);
        Assert.Contains("\"Path\":\"/fqdn/b\"", fqdn.Body, StringComparison.Ordinal);
        Assert.Equal(2, echo.RequestCount);

        var unix = await Get("/unix/c?q=1");
        Assert.Equal(HttpStatusCode.OK, unix.Status);
        Assert.Equal("unix GET /unix/c?q=1 host=backend.example:8081", unix.Body);
        var unix2 = await Get("/unix/d", http2: true);
        Assert.Equal(HttpVersion.Version20, unix2.Version);
        Assert.Equal(HttpStatusCode.OK, unix2.Status);
        Assert.Equal("unix GET /unix/d host=backend.example:8081", unix2.Body);
        Assert.Equal(2, uds.RequestCount);

        var status = await run.StatusAsync();
        var backends = status.ToJsonString();
        Assert.Contains("The Backend was accepted", backends, StringComparison.Ordinal);
        Assert.Equal(0, await run.StopAsync());
    }

    [Fact]
    public async Task UnixSocketEndpointIsRelayedByTheEventLoopWithoutHandOff()
    {
        Assert.True(Native.IsSupported, "the event loop runs on Linux x86-64 and arm64; CI runs there");
        await using var uds = await UnixSocketServer.StartAsync();
        var backend = new BackendIr
        {
            Id = "Backend:ns/sock",
            Endpoints = new([new EndpointIr(uds.Path, 0) { Kind = EndpointKind.Unix }]),
        };
        await using var g = await TestGateway.StartAsync(Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To(backend.Id))))], backend));
        await using var c = await RawClient.ConnectAsync(g.Port);
        for (var i = 0; i < 3; i++)
        {
            await c.SendAsync($"GET /s/{i} HTTP/1.1\r\nHost: h\r\n\r\n");
            var r = await c.ReadResponseAsync();
            Assert.Equal(200, r.Status);
            Assert.Equal($"unix GET /s/{i} host=h", r.BodyText);
        }
        Assert.Equal(3, g.Plane.FastPath!.LoopRequests);
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
        Assert.Equal(3, uds.RequestCount);
    }
}
