using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;
using Transport = Causeway.DataPlane.Tests.Policies.ClientTraffic.ListenerHeaderMutationTests.Transport;

namespace Causeway.DataPlane.Tests.Policies.ClientTraffic;

/// <summary>
/// HTTP/1.1 response trailers, which ClientTrafficPolicy <c>http1.enableTrailers</c> is about: the byte transports (the
/// event loop, the relay on TLS) relay a chunked response's trailer fields as the backend sent them, as
/// <c>enableTrailers: true</c> asks (the Kestrel pipeline does not: Kestrel has no HTTP/1.1 response trailers, which
/// the policy's status says).
/// </summary>
public sealed class TrailerTests
{
    private static readonly TestCert Ca = TestCerts.CreateCa("ctp-trailer-ca");
    private static readonly TestCert Leaf = TestCerts.CreateLeaf(Ca, "h", "h");

    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Tls)]
    public async Task Response_trailers_are_relayed_by_the_byte_transports(Transport transport)
    {
        await using var backend = RawBackend.Always(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n2\r\nok\r\n0\r\nX-Checksum: abc\r\n\r\n");
        var listener = Listener("ns/gw/l", null, Host("*", Prefix("/", To("ns/b:80", "httproute/ns/b/rule/0"))));
        var tls = transport == Transport.Tls;
        if (tls) listener = listener with { Certificates = new[] { Leaf.ToIr("h") } };
        var gw = Support.Ir.Gateway("ns/gw", [Port(tls ? PortProtocol.Https : PortProtocol.Http, 0, listener)], Backend("ns/b:80", backend.Port));
        await using var g = await TestGateway.StartAsync(gw);
        using var tcp = new TcpClient { NoDelay = true };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await tcp.ConnectAsync(IPAddress.Loopback, g.Port, cts.Token);
        Stream stream = tcp.GetStream();
        if (tls)
        {
            var ssl = new SslStream(stream);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "h", RemoteCertificateValidationCallback = (_, _, _, _) => true }, cts.Token);
            stream = ssl;
        }
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: h\r\nTE: trailers\r\nConnection: close\r\n\r\n"), cts.Token);
        var text = await new StreamReader(stream, Encoding.ASCII).ReadToEndAsync(cts.Token);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n2\r\nok\r\n0\r\nX-Checksum: abc\r\n\r\n", text, StringComparison.Ordinal);
        Assert.Equal(0, g.Plane.FastPath!.LoopHandOffs);
        Assert.Equal(0, g.Plane.FastPath.HandOffs);
    }
}
