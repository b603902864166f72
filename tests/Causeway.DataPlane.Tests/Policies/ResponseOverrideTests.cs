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

    private static ResponseOverrideIr RedirectOverride(ResponseOverrideSource source, int status, RedirectIr redirect) => new()
    {
        Source = source,
        Statuses = new EquatableArray<StatusRangeIr>([new StatusRangeIr(status, status)]),
        Redirect = redirect,
    };

    private static async Task<(int Status, string? Location, string Body)> GetAsync(TestGateway g, string pathAndQuery, bool h2, params (string Name, string Value)[] headers)
    {
        if (!h2)
        {
            await using var c = await RawClient.ConnectAsync(g.Port);
            var extra = string.Concat(headers.Select(h => $"{h.Name}: {h.Value}\r\n"));
            await c.SendAsync($"GET {pathAndQuery} HTTP/1.1\r\nHost: h.example:8080\r\n{extra}\r\n");
            var r = await c.ReadResponseAsync();
            return (r.Status, r.Header("location"), r.BodyText);
        }
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{g.Port}{pathAndQuery}")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Host = "h.example:8080";
        foreach (var (n, v) in headers) request.Headers.TryAddWithoutValidation(n, v);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpVersion.Version20, response.Version);
        return ((int)response.StatusCode, response.Headers.Location?.OriginalString, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_backend_answer_matching_a_redirect_override_becomes_a_redirect_built_from_the_request(bool h2)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var policy = new BackendTrafficPolicyIr
        {
            Policy = "ns/override",
            ResponseOverrides = new EquatableArray<ResponseOverrideIr>([
                RedirectOverride(ResponseOverrideSource.Backend, 404, new RedirectIr
                {
                    Scheme = "https",
                    Hostname = "moved.example",
                    Path = new PathModifierIr(PathModifierKind.ReplaceFullPath, "/gone"),
                    StatusCode = 301,
                }),
                RedirectOverride(ResponseOverrideSource.Backend, 410, new RedirectIr { Port = 9443 }),
            ]),
        };
        await using var g = await TestGateway.StartAsync(Gateway(echo, policy));

        // scheme https: its own port (443) is left out; the full path replaced, the query kept.
        var moved = await GetAsync(g, "/limited/a?q=1", h2, ("x-echo-status", "404"));
        Assert.Equal(301, moved.Status);
        Assert.Equal("https://moved.example/gone?q=1", moved.Location);
        Assert.Equal("", moved.Body);
        // Only a port: the request's scheme, the Host without its port, the request's path; 302 by default.
        var ported = await GetAsync(g, "/limited/b", h2, ("x-echo-status", "410"));
        Assert.Equal(302, ported.Status);
        Assert.Equal("http://h.example:9443/limited/b", ported.Location);
        // Another status, or a route without the policy: the backend's answer.
        var passed = await GetAsync(g, "/limited/c", h2, ("x-echo-status", "403"));
        Assert.Equal(403, passed.Status);
        Assert.Null(passed.Location);
        Assert.Equal(404, (await GetAsync(g, "/free", h2, ("x-echo-status", "404"))).Status);
        Assert.Equal(4, echo.RequestCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_reply_of_the_gateways_own_is_redirected_on_every_transport_with_the_path_as_sent(bool h2)
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var policy = new BackendTrafficPolicyIr
        {
            Policy = "ns/override",
            FaultAbort = new FaultAbortIr { HttpStatus = 503, Percentage = 100 },
            ResponseOverrides = new EquatableArray<ResponseOverrideIr>([
                RedirectOverride(ResponseOverrideSource.Local, 503, new RedirectIr { Hostname = "sorry.example" }),
            ]),
        };
        await using var g = await TestGateway.StartAsync(Gateway(echo, policy));
        // No scheme and no port: the request's scheme and the listener's port.
        var plain = await GetAsync(g, "/limited/x?y=2", h2);
        Assert.Equal(302, plain.Status);
        Assert.Equal($"http://sorry.example:{g.Port}/limited/x?y=2", plain.Location);
        // An escaped path keeps its meaning: %20 stays a space (escaped again), %2F stays an escaped slash (the event
        // loop hands such a head to Kestrel, whose override answers the same way).
        var escaped = await GetAsync(g, "/limited/a%20b%2Fc", h2);
        Assert.Equal(302, escaped.Status);
        Assert.Equal($"http://sorry.example:{g.Port}/limited/a%20b%2Fc", escaped.Location);
        Assert.Equal(0, echo.RequestCount);
        if (!h2 && Native.IsSupported)
        {
            Assert.Equal(1, g.Plane.FastPath!.LoopRequests); // a Local-only override, redirect included, stays on the event loop
            Assert.Equal(1, g.Plane.FastPath.LoopHandOffs); // but for the escaped path
        }
    }
}
