using System.Net;
using System.Security.Cryptography;
using System.Text;
using Causeway.DataPlane.Tests.Support;
using Causeway.Model;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Policies.SecurityIr;

namespace Causeway.DataPlane.Tests.Policies;

/// <summary>SecurityPolicy basic auth, API keys, authorization and CORS through real sockets.</summary>
public sealed class CredentialsAndAuthorizationTests
{
    private static string Sha(string password) => "{SHA}" + Convert.ToBase64String(SHA1.HashData(Encoding.UTF8.GetBytes(password)));

    private static string Basic(string user, string password) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

    private static SecurityPolicyIr BasicPolicy() => new()
    {
        Policy = "ns/sec",
        BasicAuth = new BasicAuthIr
        {
            Source = "ns/users",
            Users = new EquatableArray<HtpasswdUserIr>([
                new("foo", new SecretText(Sha("bar"))),
                new("bob", new SecretText(BCrypt.Net.BCrypt.HashPassword("hunter2", 4).Replace("$2a$", "$2y$", StringComparison.Ordinal)))]),
            ForwardUsernameHeader = "x-user",
        },
    };

    [Fact]
    public async Task Basic_auth_with_sha_and_bcrypt_on_the_event_loop_without_hand_off()
    {
        Assert.True(Native.IsSupported, "the event loop runs on Linux x86-64 and arm64; CI runs there");
        await using var echo = await EchoBackend.StartAsync("e");
        await using var g = await TestGateway.StartAsync(Gateway(echo, BasicPolicy()));
        await using var c = await RawClient.ConnectAsync(g.Port);
        async Task<RawResponse> Get(string? authorization)
        {
            await c.SendAsync("GET /secure/x HTTP/1.1\r\nHost: h\r\n" + (authorization is null ? "" : $"Authorization: {authorization}\r\n") + "\r\n");
            return await c.ReadResponseAsync();
        }
        var sha = await Get(Basic("foo", "bar"));
        Assert.Equal(200, sha.Status);
        Assert.Contains("\"x-user\":\"foo\"", sha.BodyText, StringComparison.OrdinalIgnoreCase);
        var bcrypt = await Get(Basic("bob", "hunter2"));
        Assert.Equal(200, bcrypt.Status);
        Assert.Contains("\"x-user\":\"bob\"", bcrypt.BodyText, StringComparison.OrdinalIgnoreCase);

        var missing = await Get(null);
        Assert.Equal(401, missing.Status);
        Assert.Equal("User authentication failed. Missing username and password.", missing.BodyText);
        Assert.Equal("Basic realm=\"http://h/secure/x\"", JwtAuthTests.Challenge(missing));
        foreach (var bad in new[] { Basic("foo", "baz"), Basic("bob", "bar"), Basic("nobody", "bar"), "Basic !!!", "Bearer abc" })
        {
            var r = await Get(bad);
            Assert.Equal(401, r.Status);
        }
        Assert.Equal("User authentication failed. Invalid username/password combination.", (await Get(Basic("foo", "baz"))).BodyText);
        Assert.Equal(9, g.Plane.FastPath!.LoopRequests);
        Assert.Equal(0, g.Plane.FastPath.LoopHandOffs);
        Assert.Equal(2, echo.RequestCount);
    }

    [Fact]
    public async Task Api_keys_from_header_query_and_cookie_with_client_id_forwarded_and_the_key_sanitized()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var policy = new SecurityPolicyIr
        {
            Policy = "ns/sec",
            ApiKeyAuth = new ApiKeyAuthIr
            {
                Clients = new EquatableArray<ApiKeyClientIr>([new("client1", new SecretText("supersecret")), new("client2", new SecretText("other"))]),
                Sources = new EquatableArray<CredentialSourceIr>([new(CredentialSourceKind.Header, "x-api-key"), new(CredentialSourceKind.Param, "key"), new(CredentialSourceKind.Cookie, "apikey")]),
                ForwardClientIdHeader = "x-client-id",
                Sanitize = true,
            },
        };
        await using var g = await TestGateway.StartAsync(Gateway(echo, policy));
        var byHeader = await g.EchoAsync("h", "/secure", ("x-api-key", "supersecret"));
        Assert.Equal("client1", byHeader.Headers.First(h => h.Key.Equals("x-client-id", StringComparison.OrdinalIgnoreCase)).Value);
        Assert.DoesNotContain(byHeader.Headers, h => h.Key.Equals("x-api-key", StringComparison.OrdinalIgnoreCase));
        var byQuery = await g.EchoAsync("h", "/secure?key=other");
        Assert.Equal("client2", byQuery.Headers.First(h => h.Key.Equals("x-client-id", StringComparison.OrdinalIgnoreCase)).Value);
        var byCookie = await g.EchoAsync("h", "/secure", ("Cookie", "a=1; apikey=supersecret"));
        Assert.Equal("a=1", byCookie.Headers.First(h => h.Key.Equals("cookie", StringComparison.OrdinalIgnoreCase)).Value);

        using var missing = await g.GetAsync("h", "/secure");
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        using var wrong = await g.GetAsync("h", "/secure", ("x-api-key", "nope"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using var spoofed = await g.GetAsync("h", "/secure", ("x-client-id", "client1"));
        Assert.Equal(HttpStatusCode.Unauthorized, spoofed.StatusCode);
        Assert.Equal(3, echo.RequestCount);
    }

    [Fact]
    public async Task Authorization_first_matching_rule_wins_by_cidr_header_and_jwt_claim_with_403_on_http2_too()
    {
        using var keys = new TestTokens();
        await using var echo = await EchoBackend.StartAsync("e");
        var policy = Jwt(Provider("p", keys.Jwks())) with
        {
            Jwt = new JwtIr { Optional = true, Providers = new EquatableArray<JwtProviderIr>([Provider("p", keys.Jwks())]) },
            Authorization = new AuthorizationIr
            {
                DefaultAllow = false,
                Rules = new EquatableArray<AuthorizationRuleIr>([
                    new() { Name = "deny-blocked", Allow = false, Headers = new EquatableArray<AuthorizationHeaderIr>([new("x-team", new EquatableArray<string>(["blocked"]))]) },
                    new() { Name = "admins", Allow = true, JwtProvider = "p", Claims = new EquatableArray<JwtClaimMatchIr>([new("roles", true, new EquatableArray<string>(["admin"]))]) },
                    new() { Name = "no-deletes-from-loopback", Allow = false, ClientCidrs = new EquatableArray<string>(["127.0.0.0/8"]), Methods = new EquatableArray<string>(["DELETE"]) },
                    new() { Name = "loopback", Allow = true, ClientCidrs = new EquatableArray<string>(["127.0.0.0/8"]) },
                ]),
            },
        };
        await using var g = await TestGateway.StartAsync(Gateway(echo, policy));
        async Task<HttpStatusCode> Send(HttpMethod method, bool http2, params (string, string)[] headers)
        {
            var req = g.Request("h", "/secure", method);
            if (http2)
            {
                req.Version = HttpVersion.Version20;
                req.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            }
            foreach (var (n, v) in headers) req.Headers.TryAddWithoutValidation(n, v);
            using var r = await g.SendAsync(req);
            if (r.StatusCode == HttpStatusCode.Forbidden) Assert.Equal("RBAC: access denied", await r.Content.ReadAsStringAsync());
            return r.StatusCode;
        }
        var admin = keys.Sign(claims: new Dictionary<string, object> { ["roles"] = new[] { "admin", "dev" } });
        foreach (var http2 in new[] { false, true })
        {
            Assert.Equal(HttpStatusCode.OK, await Send(HttpMethod.Get, http2));
            Assert.Equal(HttpStatusCode.Forbidden, await Send(HttpMethod.Delete, http2));
            Assert.Equal(HttpStatusCode.OK, await Send(HttpMethod.Delete, http2, ("Authorization", "Bearer " + admin))); // rule 2 before rule 3
            Assert.Equal(HttpStatusCode.Forbidden, await Send(HttpMethod.Get, http2, ("x-team", "blocked"), ("Authorization", "Bearer " + admin))); // rule 1 first
        }
    }

    [Fact]
    public async Task Default_deny_refuses_a_client_outside_every_cidr()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var policy = new SecurityPolicyIr
        {
            Policy = "ns/sec",
            Authorization = new AuthorizationIr { Rules = new EquatableArray<AuthorizationRuleIr>([new() { Name = "lan", Allow = true, ClientCidrs = new EquatableArray<string>(["10.0.0.0/8"]) }]) },
        };
        await using var g = await TestGateway.StartAsync(Gateway(echo, policy));
        using var r = await g.GetAsync("h", "/secure");
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        using var open = await g.GetAsync("h", "/open");
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
    }

    [Fact]
    public async Task Cors_preflight_is_answered_by_the_gateway_and_actual_responses_carry_the_headers()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var policy = new SecurityPolicyIr
        {
            Policy = "ns/sec",
            Cors = new CorsIr
            {
                AllowOrigins = new EquatableArray<string>(["https://*.example.com"]),
                AllowMethods = new EquatableArray<string>(["GET", "POST"]),
                AllowHeaders = new EquatableArray<string>(["x-custom"]),
                ExposeHeaders = new EquatableArray<string>(["x-exposed"]),
                MaxAgeSeconds = 600,
                AllowCredentials = true,
            },
        };
        await using var g = await TestGateway.StartAsync(Gateway(echo, policy));
        var pre = g.Request("h", "/secure", HttpMethod.Options);
        pre.Headers.Add("Origin", "https://app.example.com");
        pre.Headers.Add("Access-Control-Request-Method", "POST");
        using var preflight = await g.SendAsync(pre);
        Assert.Equal(HttpStatusCode.OK, preflight.StatusCode);
        Assert.Equal("https://app.example.com", preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("GET, POST", preflight.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Equal("x-custom", preflight.Headers.GetValues("Access-Control-Allow-Headers").Single());
        Assert.Equal("600", preflight.Headers.GetValues("Access-Control-Max-Age").Single());
        Assert.Equal("true", preflight.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        Assert.Equal(0, echo.RequestCount);

        using var actual = await g.GetAsync("h", "/secure", ("Origin", "https://app.example.com"));
        Assert.Equal("https://app.example.com", actual.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("x-exposed", actual.Headers.GetValues("Access-Control-Expose-Headers").Single());
        using var foreign = await g.GetAsync("h", "/secure", ("Origin", "https://evil.test"));
        Assert.False(foreign.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
