using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;
using Transport = Causeway.DataPlane.Tests.Policies.ClientTraffic.ListenerHeaderMutationTests.Transport;

namespace Causeway.DataPlane.Tests.Policies.ClientTraffic;

/// <summary>
/// ClientTrafficPolicy <c>http1.http10.useDefaultHost</c> through real sockets: an HTTP/1.0 request without Host is
/// routed (and forwarded) with the listener's default host; one with a Host keeps it; without the policy such a
/// request matches no hostname. An HTTP/1.0 request without Host is served by the Kestrel pipeline (the byte transports
/// hand it over); one with a Host by the event loop where it serves the port.
/// </summary>
public sealed class Http10DefaultHostTests
{
    private static readonly TestCert Ca = TestCerts.CreateCa("ctp-http10-ca");
    private static readonly TestCert Leaf = TestCerts.CreateLeaf(Ca, "h", "app.example");

    private static GatewayIr Gateway(EchoBackend echo, Transport transport, string? defaultHost)
    {
        var listener = Listener("ns/gw/l", null, Host("app.example", Prefix("/", To("ns/e:80", "httproute/ns/app/rule/0")))) with
        {
            ClientTraffic = ClientTrafficIr.Policy() with { Http10DefaultHost = defaultHost },
        };
        if (transport == Transport.Tls) listener = listener with { Certificates = new[] { Leaf.ToIr("app.example") } };
        var port = Port(transport == Transport.Tls ? PortProtocol.Https : PortProtocol.Http, 0, listener);
        return Support.Ir.Gateway("ns/gw", [port], Backend("ns/e:80", echo));
    }

    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.Kestrel)]
    public async Task An_http10_request_without_Host_gets_the_default_host(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var options = transport == Transport.Kestrel ? TestGateway.Options with { Http1FastPath = false } : TestGateway.Options;
        await using var g = await TestGateway.StartAsync(options, Gateway(echo, transport, defaultHost: null));
        Assert.Equal(404, (await ListenerHeaderMutationTests.SendRawAsync(g, transport, "GET /none HTTP/1.0\r\n\r\n")).Status);

        await g.ApplyAsync(Gateway(echo, transport, "app.example"));
        Assert.Equal(200, (await ListenerHeaderMutationTests.SendRawAsync(g, transport, "GET /default HTTP/1.0\r\n\r\n")).Status);
        Assert.Equal(404, (await ListenerHeaderMutationTests.SendRawAsync(g, transport, "GET /other HTTP/1.0\r\nHost: other.example\r\n\r\n")).Status);
        Assert.Equal(200, (await ListenerHeaderMutationTests.SendRawAsync(g, transport, "GET /own HTTP/1.0\r\nHost: app.example\r\n\r\n")).Status);
        Assert.Equal(["/default", "/own"], echo.Received.Select(e => e.Path));
        Assert.All(echo.Received, e => Assert.Equal("app.example", e.Host));
    }
}
