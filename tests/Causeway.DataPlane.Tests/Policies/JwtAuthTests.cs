using System.Net;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using static Causeway.DataPlane.Tests.Policies.SecurityIr;

namespace Causeway.DataPlane.Tests.Policies;

/// <summary>SecurityPolicy jwt through real sockets: every way a token can be wrong, claim headers, and a remote JWKS rotated and gone.</summary>
public sealed class JwtAuthTests
{
    [Fact]
    public async Task Valid_tokens_pass_and_every_bad_token_gets_401_on_the_event_loop_without_hand_off()
    {
        Assert.True(Native.IsSupported, "the event loop runs on Linux x86-64 and arm64; CI runs there");
        using var keys = new TestTokens();
        using var other = new TestTokens(); // same kids, other keys
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, Jwt(Provider("p", keys.Jwks(), claims: new ClaimToHeaderIr("sub", "x-sub")))));
        await using var c = await RawClient.ConnectAsync(g.Port);
        async Task<RawResponse> Get(string? token, string path = "/secure")
        {
            await c.SendAsync($"GET {path} HTTP/1.1\r\nHost: h\r\n" + (token is null ? "" : $"Authorization: Bearer {token}\r\n") + "\r\n");
            return await c.ReadResponseAsync();
        }

        var ok = await Get(keys.Sign());
        Assert.Equal(200, ok.Status);
        Assert.Contains("\"x-sub\":\"alice\"", ok.BodyText, StringComparison.OrdinalIgnoreCase); // claimToHeaders reached the backend
        Assert.DoesNotContain("Bearer", ok.BodyText, StringComparison.Ordinal); // the token itself did not
        Assert.Equal(200, (await Get(keys.Sign(ec: true))).Status);
        Assert.Equal(200, (await Get(keys.Sign(ps: true))).Status);

        var missing = await Get(null);
        Assert.Equal(401, missing.Status);
        Assert.Equal("Jwt is missing", missing.BodyText);
        Assert.Equal("Bearer realm=\"http://h/secure\"", Challenge(missing));

        void Refused(RawResponse r, string body)
        {
            Assert.Equal(401, r.Status);
            Assert.Equal(body, r.BodyText);
            Assert.Equal("Bearer realm=\"http://h/secure\", error=\"invalid_token\"", Challenge(r));
        }
        Refused(await Get(keys.Sign(expires: DateTime.UtcNow.AddMinutes(-5), notBefore: DateTime.UtcNow.AddMinutes(-20))), "Jwt is expired");
        Refused(await Get(keys.Sign(notBefore: DateTime.UtcNow.AddMinutes(5), expires: DateTime.UtcNow.AddMinutes(20))), "Jwt not yet valid");
        Refused(await Get(keys.Sign(issuer: "https://evil.example")), "Jwt issuer is not configured");
        Refused(await Get(keys.Sign(audience: "other")), "Audiences in Jwt are not allowed");
        Refused(await Get(other.Sign()), "Jwt verification fails"); // right kid, wrong key
        Refused(await Get(keys.Sign(kid: "unknown")), "Jwks doesn't have key to match kid or alg from Jwt");
        var good = keys.Sign();
        Refused(await Get(TestTokens.Unsigned(TestTokens.Payload(good))), "Jwt verification fails"); // alg none
        Refused(await Get(TestTokens.Tampered(good, TestTokens.Payload(good).Replace("alice", "mallory", StringComparison.Ordinal))), "Jwt verification fails");

        // The same valid token twice (the second from the verified-token cache), and a route without the policy.
        Assert.Equal(200, (await Get(good)).Status);
        Assert.Equal(200, (await Get(good)).Status);
        Assert.Equal(200, (await Get(null, "/open")).Status);
        Assert.Equal(15, g.Plane.FastPath!.LoopRequests);
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
        Assert.Equal(6, echo.RequestCount); // 3 valid, twice the cached one, /open: no refused request reached it
    }

    [Fact]
    public async Task Http2_gets_the_same_answers_and_tokens_from_the_query()
    {
        using var keys = new TestTokens();
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, Jwt(Provider("p", keys.Jwks()))));
        async Task<HttpResponseMessage> Get(string path, string? token)
        {
            var req = g.Request("h", path);
            req.Version = HttpVersion.Version20;
            req.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            if (token is not null) req.Headers.Add("Authorization", "Bearer " + token);
            return await g.SendAsync(req);
        }
        using var ok = await Get("/secure", keys.Sign());
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpVersion.Version20, ok.Version);
        using var query = await Get("/secure?access_token=" + keys.Sign(), null);
        Assert.Equal(HttpStatusCode.OK, query.StatusCode);
        using var missing = await Get("/secure", null);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("Bearer realm=\"http://h/secure\"", missing.Headers.WwwAuthenticate.ToString());
        using var expired = await Get("/secure", keys.Sign(expires: DateTime.UtcNow.AddMinutes(-5), notBefore: DateTime.UtcNow.AddMinutes(-20)));
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal("Jwt is expired", await expired.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Remote_jwks_is_fetched_rotated_and_kept_while_the_issuer_is_down()
    {
        using var first = new TestTokens("k1", "e1");
        using var second = new TestTokens("k2", "e2");
        var served = first.Jwks();
        var up = true;
        await using var issuer = await StartIssuerAsync(() => up ? served : null);
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, Jwt(Provider("p", remote: issuer.Url))));
        async Task<HttpStatusCode> Get(string token)
        {
            using var r = await g.GetAsync("h", "/secure", ("Authorization", "Bearer " + token));
            return r.StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, await Eventually(() => Get(first.Sign()), HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.Unauthorized, await Get(second.Sign())); // kid k2 is not known yet

        served = second.Jwks(); // the issuer rotates its keys
        Assert.Equal(HttpStatusCode.OK, await Eventually(() => Get(second.Sign()), HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.Unauthorized, await Get(first.Sign()));

        up = false; // the issuer goes down: the keys fetched before stay in use
        var failuresBefore = issuer.Failures;
        await Eventually(() => Task.FromResult(issuer.Failures > failuresBefore + 2 ? HttpStatusCode.OK : HttpStatusCode.NotFound), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, await Get(second.Sign()));
    }

    [Fact]
    public async Task A_request_before_the_first_fetch_gets_401_at_once()
    {
        using var keys = new TestTokens();
        await using var echo = await EchoBackend.StartAsync("e");
        // Nothing listens there: the fetch fails, the request does not wait for it.
        await using var g = await TestGateway.StartAsync(Gateway(echo, Jwt(Provider("p", remote: "http://127.0.0.1:1/jwks"))));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var r = await g.GetAsync("h", "/secure", ("Authorization", "Bearer " + keys.Sign()));
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        Assert.Equal(0, echo.RequestCount);
    }

    internal static string? Challenge(RawResponse r) =>
        r.Headers.Where(h => string.Equals(h.Key, "WWW-Authenticate", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    private static async Task<HttpStatusCode> Eventually(Func<Task<HttpStatusCode>> probe, HttpStatusCode wanted)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode last;
        do
        {
            last = await probe();
            if (last == wanted) return last;
            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);
        return last;
    }

    private static async Task<Issuer> StartIssuerAsync(Func<string?> jwks)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var issuer = new Issuer(app);
        app.MapGet("/jwks", (HttpContext ctx) =>
        {
            if (jwks() is { } doc) return Results.Text(doc, "application/json");
            Interlocked.Increment(ref issuer.FailureCount);
            return Results.StatusCode(503);
        });
        await app.StartAsync();
        var address = app.Services.GetService(typeof(IServer)) is IServer server ? server.Features.Get<IServerAddressesFeature>()!.Addresses.First() : throw new InvalidOperationException();
        issuer.Url = address + "/jwks";
        return issuer;
    }

    private sealed class Issuer(WebApplication app) : IAsyncDisposable
    {
        public int FailureCount;

        public string Url { get; set; } = "";

        public int Failures => Volatile.Read(ref FailureCount);

        public ValueTask DisposeAsync() => app.DisposeAsync();
    }
}
