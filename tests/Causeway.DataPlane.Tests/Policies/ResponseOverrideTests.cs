using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Model;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Policies.PolicyIr;

namespace Causeway.DataPlane.Tests.Policies;

/// <summary>BackendTrafficPolicy <c>responseOverride</c> through real sockets, for backend answers and the gateway's own.</summary>
public sealed class ResponseOverrideTests
{
    private static ResponseOverrideIr Override(ResponseOverrideSource source, int start, int end, int? status, string body) => new()
    {
        Source = source,
        Statuses = new EquatableArray<StatusRangeIr>([new StatusRangeIr(start, end)]),
        Status = status,
        Body = body,
        ContentType = "text/plain",
        HeaderEdits = new HeaderModifierIr { Set = new EquatableArray<KeyValuePair<string, string>>([new("x-override", "yes")]) },
    };

    [Fact]
    public async Task A_backend_answer_in_the_status_range_is_replaced_and_others_pass()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var policy = new BackendTrafficPolicyIr
        {
            Policy = "ns/override",
            ResponseOverrides = new EquatableArray<ResponseOverrideIr>([Override(ResponseOverrideSource.Backend, 400, 499, 404, "nothing here")]),
        };
        await using var g = await TestGateway.StartAsync(Gateway(echo, policy));
        await using var c = await RawClient.ConnectAsync(g.Port);
        await c.SendAsync("GET /limited HTTP/1.1\r\nHost: h\r\nx-echo-status: 410\r\n\r\n");
        var replaced = await c.ReadResponseAsync();
        Assert.Equal(404, replaced.Status);
        Assert.Equal("nothing here", replaced.BodyText);
        Assert.Equal("yes", replaced.Header("x-override"));
        Assert.Null(replaced.Header("x-backend")); // the backend's headers went with its body
        await c.SendAsync("GET /limited HTTP/1.1\r\nHost: h\r\n\r\n");
        var passed = await c.ReadResponseAsync();
        Assert.Equal(200, passed.Status);
        Assert.Equal("e", passed.Header("x-backend"));
        await c.SendAsync("GET /free HTTP/1.1\r\nHost: h\r\nx-echo-status: 410\r\n\r\n");
        Assert.Equal(410, (await c.ReadResponseAsync()).Status); // a route without the policy
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_reply_of_the_gateways_own_is_replaced_on_every_transport(bool h2)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var policy = new BackendTrafficPolicyIr
        {
            Policy = "ns/override",
            FaultAbort = new FaultAbortIr { HttpStatus = 418, Percentage = 100 },
            ResponseOverrides = new EquatableArray<ResponseOverrideIr>([Override(ResponseOverrideSource.Local, 418, 418, 429, "slow down")]),
        };
        await using var g = await TestGateway.StartAsync(Gateway(echo, policy));
        using var client = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{g.Port}/limited")
        {
            Version = h2 ? HttpVersion.Version20 : HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Host = "h";
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("slow down", await response.Content.ReadAsStringAsync());
        Assert.Equal("yes", response.Headers.GetValues("x-override").Single());
        Assert.Equal(0, echo.RequestCount);
        if (!h2 && Native.IsSupported)
        {
            Assert.Equal(1, g.Plane.FastPath!.LoopRequests); // a Local-only override stays on the event loop
            Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
        }
    }
}
