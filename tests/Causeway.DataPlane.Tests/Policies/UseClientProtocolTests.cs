using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies;

/// <summary>
/// BackendTrafficPolicy <c>useClientProtocol</c> through real sockets: the backend is asked in the client's HTTP
/// version, whatever its backendRef says (HTTP/1.1 here): an HTTP/2 client reaches an HTTP/2-only backend over h2c,
/// which it cannot without the policy; an HTTP/1.1 client stays on HTTP/1.1.
/// </summary>
public sealed class UseClientProtocolTests
{
    private static GatewayIr Gateway(EchoBackend echo, bool useClientProtocol) =>
        Support.Ir.Gateway("ns/gw", [HttpPort(Host("*", Prefix("/", To("ns/e:80", "httproute/ns/e/rule/0") with
        {
            BackendTraffic = useClientProtocol ? new BackendTrafficPolicyIr { Policy = "ns/client-protocol", UseClientProtocol = true } : null,
        })))], Backend("ns/e:80", echo));

    private static HttpRequestMessage Get(TestGateway g, bool http2)
    {
        var request = g.Request("h", "/p");
        request.Version = http2 ? HttpVersion.Version20 : HttpVersion.Version11;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        return request;
    }

    [Fact]
    public async Task An_http2_client_reaches_an_http2_only_backend_in_its_own_version()
    {
        await using var echo = await EchoBackend.StartAsync("h2", http2Only: true);
        await using var g = await TestGateway.StartAsync(Gateway(echo, useClientProtocol: true));
        using var r = await g.SendAsync(Get(g, http2: true));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var reply = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<EchoReply>(r.Content))!;
        Assert.Equal("HTTP/2", reply.Protocol);
    }

    [Fact]
    public async Task Without_the_policy_the_backendRefs_http11_is_spoken_and_an_http2_only_backend_fails()
    {
        await using var echo = await EchoBackend.StartAsync("h2", http2Only: true);
        await using var g = await TestGateway.StartAsync(Gateway(echo, useClientProtocol: false));
        using var r = await g.SendAsync(Get(g, http2: true));
        Assert.NotEqual(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(0, echo.RequestCount);
    }

    [Fact]
    public async Task An_http11_client_is_forwarded_in_http11()
    {
        await using var echo = await EchoBackend.StartAsync("h1");
        await using var g = await TestGateway.StartAsync(Gateway(echo, useClientProtocol: true));
        using var r = await g.SendAsync(Get(g, http2: false));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var reply = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<EchoReply>(r.Content))!;
        Assert.Equal("HTTP/1.1", reply.Protocol);
    }
}
