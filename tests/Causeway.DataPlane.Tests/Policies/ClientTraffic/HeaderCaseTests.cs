using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies.ClientTraffic;

/// <summary>
/// What ClientTrafficPolicy <c>http1.preserveHeaderCase</c> asks for, which Causeway does on HTTP/1.1 whether or not
/// the field is set: a header name reaches the backend as the client wrote it, and the client as the backend wrote it.
/// A raw backend records the bytes it got. Transports: the event loop, the HTTP/1.1 relay on TLS, the Kestrel pipeline.
/// </summary>
public sealed class HeaderCaseTests
{
    private static readonly TestCert Ca = TestCerts.CreateCa("ctp-case-ca");
    private static readonly TestCert Leaf = TestCerts.CreateLeaf(Ca, "h", "h");

    /// <summary>A response with a header of mixed case.</summary>
    private const string MixedCaseAnswer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Backend-MiXeD: v\r\n\r\nok";

    [Theory]
    [InlineData(ListenerHeaderMutationTests.Transport.Loop)]
    [InlineData(ListenerHeaderMutationTests.Transport.Tls)]
    [InlineData(ListenerHeaderMutationTests.Transport.Kestrel)]
    public async Task Header_names_keep_the_case_they_were_written_in(ListenerHeaderMutationTests.Transport transport)
    {
        await using var backend = RawBackend.Always(MixedCaseAnswer);
        var listener = Listener("ns/gw/l", null, Host("*", Prefix("/", To("ns/b:80", "httproute/ns/b/rule/0")))) with
        {
            ClientTraffic = ClientTrafficIr.Policy(),
        };
        var tls = transport == ListenerHeaderMutationTests.Transport.Tls;
        if (tls) listener = listener with { Certificates = new[] { Leaf.ToIr("h") } };
        var gw = Support.Ir.Gateway("ns/gw", [Port(tls ? PortProtocol.Https : PortProtocol.Http, 0, listener)], Backend("ns/b:80", backend.Port));
        await using var g = await TestGateway.StartAsync(
            transport == ListenerHeaderMutationTests.Transport.Kestrel ? TestGateway.Options with { Http1FastPath = false } : TestGateway.Options, gw);

        var (status, headers) = await ListenerHeaderMutationTests.GetAsync(g, transport, "/case", headers: ("X-MiXeD-Case", "1"));
        Assert.Equal(200, status);
        Assert.Contains(headers, h => h.Key == "X-Backend-MiXeD");
        Assert.Contains("\r\nX-MiXeD-Case: 1", Assert.Single(backend.Requests), StringComparison.Ordinal);
        if (transport != ListenerHeaderMutationTests.Transport.Kestrel) Assert.True(g.Plane.FastPath!.Requests > 0);
    }
}
