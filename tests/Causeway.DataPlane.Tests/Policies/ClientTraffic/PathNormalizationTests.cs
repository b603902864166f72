using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies.ClientTraffic;

/// <summary>
/// ClientTrafficPolicy <c>path</c> through real sockets, before routing: adjacent slashes merged (Envoy Gateway's
/// default) or not, escaped slashes (<c>%2F</c>, <c>%5C</c>) refused with 400, redirected with 307 to the unescaped
/// path (the default), unescaped and forwarded, or kept. Transports: the event loop (answers without hand-off; a path
/// that must change goes on to Kestrel), the HTTP/1.1 relay on TLS, the Kestrel pipeline (fast path off) and HTTP/2.
/// </summary>
public sealed class PathNormalizationTests
{
    public enum Transport { Loop, Tls, Kestrel, H2 }

    private static readonly TestCert Ca = TestCerts.CreateCa("ctp-path-ca");
    private static readonly TestCert Leaf = TestCerts.CreateLeaf(Ca, "h", "h");

    private static GatewayIr Gateway(EchoBackend echo, Transport transport, bool merge = true, EscapedSlashesAction escaped = EscapedSlashesAction.UnescapeAndRedirect)
    {
        var policy = ClientTrafficIr.Policy() with { MergeSlashes = merge, EscapedSlashes = escaped };
        var listener = Listener("ns/gw/l", null, Host("*",
            Exact("/a/b", To("ns/e:80", "httproute/ns/ab/rule/0")),
            Prefix("/keep", To("ns/e:80", "httproute/ns/keep/rule/0")))) with { ClientTraffic = policy };
        if (transport == Transport.Tls) listener = listener with { Certificates = new[] { Leaf.ToIr("h") } };
        var port = Port(transport == Transport.Tls ? PortProtocol.Https : PortProtocol.Http, 0, listener);
        return Support.Ir.Gateway("ns/gw", [port], Backend("ns/e:80", echo));
    }

    private static async Task<TestGateway> StartAsync(Transport transport, GatewayIr gw) =>
        await TestGateway.StartAsync(transport == Transport.Kestrel ? TestGateway.Options with { Http1FastPath = false } : TestGateway.Options, gw);

    /// <summary>One request; the status and the Location header.</summary>
    private static async Task<(int Status, string? Location)> GetAsync(TestGateway g, Transport transport, string target)
    {
        if (transport == Transport.H2)
        {
            // A URI without canonicalization: HttpClient sends the :path as given (slashes and escapes untouched).
            var uri = new Uri($"http://127.0.0.1:{g.Port}{target}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
            using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            request.Headers.Host = "h";
            using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(15) };
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpVersion.Version20, response.Version);
            return ((int)response.StatusCode, response.Headers.Location?.OriginalString);
        }
        using var tcp = new TcpClient { NoDelay = true };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await tcp.ConnectAsync(IPAddress.Loopback, g.Port, cts.Token);
        Stream stream = tcp.GetStream();
        if (transport == Transport.Tls)
        {
            var ssl = new SslStream(stream);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "h",
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, cts.Token);
            stream = ssl;
        }
        await using (stream)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"), cts.Token);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            var text = await reader.ReadToEndAsync(cts.Token);
            var lines = text.Split("\r\n");
            var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            var location = lines.TakeWhile(l => l.Length > 0).FirstOrDefault(l => l.StartsWith("Location:", StringComparison.OrdinalIgnoreCase))?[9..].Trim();
            return (status, location);
        }
    }

    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.Kestrel)]
    [InlineData(Transport.H2)]
    public async Task Adjacent_slashes_are_merged_before_routing_unless_disabled(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await StartAsync(transport, Gateway(echo, transport));
        Assert.Equal(200, (await GetAsync(g, transport, "//a//b")).Status);
        Assert.Equal(200, (await GetAsync(g, transport, "/a///b?x=1")).Status);
        Assert.Equal(["/a/b", "/a/b?x=1"], echo.Received.Select(e => e.Path)); // (the echo's path has the query)

        await g.ApplyAsync(Gateway(echo, transport, merge: false));
        Assert.Equal(404, (await GetAsync(g, transport, "//a//b")).Status);
        Assert.Equal(200, (await GetAsync(g, transport, "/a/b")).Status);
        Assert.Equal(3, echo.RequestCount);
    }

    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.Kestrel)]
    [InlineData(Transport.H2)]
    public async Task Escaped_slashes_are_rejected_with_400_when_the_policy_says_RejectRequest(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await StartAsync(transport, Gateway(echo, transport, escaped: EscapedSlashesAction.RejectRequest));
        Assert.Equal(400, (await GetAsync(g, transport, "/a%2Fb")).Status);
        Assert.Equal(400, (await GetAsync(g, transport, "/keep/a%2fb")).Status);
        Assert.Equal(400, (await GetAsync(g, transport, "/keep/a%5Cb")).Status);
        Assert.Equal(200, (await GetAsync(g, transport, "/keep/a%20b")).Status); // other escapes are not slashes
        Assert.Equal(1, echo.RequestCount);
        // (The event loop hands every percent-encoded path to Kestrel before routing, policy or not: the same
        // PathNormalization answers there.)
    }

    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.Kestrel)]
    [InlineData(Transport.H2)]
    public async Task Escaped_slashes_are_redirected_to_the_unescaped_path_by_default(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await StartAsync(transport, Gateway(echo, transport));
        var (status, location) = await GetAsync(g, transport, "/a%2Fb?x=%2F");
        Assert.Equal(307, status);
        Assert.Equal("/a/b?x=%2F", location); // the query is not the path: kept as sent
        Assert.Equal((307, "/keep/a/b"), await GetAsync(g, transport, "/keep//a%2f/b"));
        Assert.Equal(0, echo.RequestCount);
    }

    [Theory]
    [InlineData(Transport.Loop)]
    [InlineData(Transport.Tls)]
    [InlineData(Transport.Kestrel)]
    [InlineData(Transport.H2)]
    public async Task Escaped_slashes_are_unescaped_and_routed_with_UnescapeAndForward_and_kept_with_KeepUnchanged(Transport transport)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await StartAsync(transport, Gateway(echo, transport, escaped: EscapedSlashesAction.UnescapeAndForward));
        Assert.Equal(200, (await GetAsync(g, transport, "/a%2Fb")).Status);
        Assert.Equal(200, (await GetAsync(g, transport, "/a%2F%2Fb")).Status); // unescaped, then merged
        Assert.Equal(["/a/b", "/a/b"], echo.Received.Select(e => e.Path));

        await g.ApplyAsync(Gateway(echo, transport, escaped: EscapedSlashesAction.KeepUnchanged));
        Assert.Equal(404, (await GetAsync(g, transport, "/a%2Fb")).Status); // not /a/b
        Assert.Equal(200, (await GetAsync(g, transport, "/keep/a%2Fb")).Status);
        Assert.Equal(3, echo.RequestCount);
    }
}
