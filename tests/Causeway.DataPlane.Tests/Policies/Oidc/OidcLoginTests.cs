using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Causeway.DataPlane.Tests.EndToEnd;

namespace Causeway.DataPlane.Tests.Policies.Oidc;

/// <summary>
/// examples/eg-policies/oidc through <c>causeway run</c> against a real OpenID provider (oidc-provider on Node.js):
/// each hop of the login asserted as a browser sees it (redirects followed by hand, cookies kept), the session's
/// tokens at the backend, refresh, tampering, two gateways sharing the cookie key, logout, denyRedirect and
/// passThroughAuthHeader. Addresses: gateways 127.60.90.1 and 127.60.91.1, provider 127.60.92.1, echo 127.60.93.1.
/// </summary>
public sealed class OidcLoginTests
{
    private const string ClientId = "causeway-example";
    private const string ClientSecret = "example-client-secret";
    private const string CookieKey = "example-cookie-key-0123456789abcdef";
    private const string App = "http://app.example:8080";
    private const int AccessTtl = 3;

    /// <summary>A client that sends app.example to <paramref name="gateway"/> and everything else where its URL says, keeping cookies in <paramref name="jar"/>.</summary>
    private static HttpClient Browser(IPAddress gateway, CookieContainer jar)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = true,
            CookieContainer = jar,
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            ConnectCallback = async (ctx, ct) =>
            {
                var address = ctx.DnsEndPoint.Host == "app.example" ? gateway : IPAddress.Parse(ctx.DnsEndPoint.Host);
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, ctx.DnsEndPoint.Port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(15) };
    }

    private static async Task<HttpResponseMessage> Get(HttpClient client, string url, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var (n, v) in headers) request.Headers.TryAddWithoutValidation(n, v);
        return await client.SendAsync(request);
    }

    private static Uri Location(HttpResponseMessage r) => new(r.RequestMessage!.RequestUri!, r.Headers.Location!);

    private static string[] SetCookies(HttpResponseMessage r) => r.Headers.TryGetValues("Set-Cookie", out var v) ? [.. v] : [];

    /// <summary>GET that follows the gateway's 307 after a refresh (at most twice); the final response and how many refreshes it took.</summary>
    private static async Task<(HttpResponseMessage Response, int Refreshes)> GetThroughRefresh(HttpClient client, string url)
    {
        var r = await Get(client, url);
        var refreshes = 0;
        while (r.StatusCode == HttpStatusCode.TemporaryRedirect && refreshes < 2)
        {
            Assert.Equal(url, Location(r).ToString());
            refreshes++;
            r = await Get(client, url);
        }
        return (r, refreshes);
    }

    /// <summary>The whole login from a protected URL: each hop asserted; returns the echo of the request that finally reached the backend.</summary>
    private static async Task<JsonNode> LoginAsync(HttpClient client, string issuer, string url)
    {
        var start = await Get(client, url);
        Assert.Equal(HttpStatusCode.Found, start.StatusCode);
        var authorize = Location(start);
        Assert.StartsWith(issuer + "/auth?", authorize.ToString(), StringComparison.Ordinal);
        var query = System.Web.HttpUtility.ParseQueryString(authorize.Query);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal(ClientId, query["client_id"]);
        Assert.Equal(App + "/oauth2/callback", query["redirect_uri"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.False(string.IsNullOrEmpty(query["code_challenge"]));
        Assert.False(string.IsNullOrEmpty(query["state"]));
        Assert.False(string.IsNullOrEmpty(query["nonce"]));
        Assert.Contains("openid", query["scope"]!.Split(' '));
        Assert.Contains(SetCookies(start), c => c.StartsWith("OauthNonce-", StringComparison.Ordinal) && c.Contains("HttpOnly", StringComparison.Ordinal));

        // The provider's own hops (authorization, interaction, resume) until it sends the browser back to the gateway.
        var next = authorize;
        HttpResponseMessage hop;
        var hops = 0;
        while (true)
        {
            hop = await Get(client, next.ToString());
            Assert.True(hop.StatusCode is HttpStatusCode.Found or HttpStatusCode.SeeOther, $"{next}: {(int)hop.StatusCode} {await hop.Content.ReadAsStringAsync()}");
            next = Location(hop);
            if (next.Host == "app.example") break;
            Assert.True(++hops < 10, "the provider kept redirecting");
        }
        Assert.Equal("/oauth2/callback", next.AbsolutePath);
        Assert.Equal(query["state"], System.Web.HttpUtility.ParseQueryString(next.Query)["state"]);

        var callback = await Get(client, next.ToString());
        Assert.True(callback.StatusCode == HttpStatusCode.Found, $"callback: {(int)callback.StatusCode} {await callback.Content.ReadAsStringAsync()}");
        Assert.Equal(url, Location(callback).ToString());
        var set = SetCookies(callback);
        foreach (var prefix in new[] { "OauthHMAC-", "OauthExpires-", "AccessToken-", "IdToken-", "RefreshToken-" })
            Assert.Contains(set, c => c.StartsWith(prefix, StringComparison.Ordinal) && !c.Contains("Max-Age=0", StringComparison.Ordinal));
        Assert.Contains(set, c => c.StartsWith("OauthNonce-", StringComparison.Ordinal) && c.Contains("Max-Age=0", StringComparison.Ordinal));
        Assert.All(set, c => Assert.Contains("SameSite=Lax", c, StringComparison.Ordinal));

        var (back, _) = await GetThroughRefresh(client, url);
        var body = await back.Content.ReadAsStringAsync();
        Assert.True(back.StatusCode == HttpStatusCode.OK, $"{url} after login: {(int)back.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    private static void Edit(string dir, string issuer)
    {
        E2e.RetargetSlice(dir, "backends.yaml", "app-local", "127.60.93.1");
        var policy = Path.Combine(dir, "policies.yaml");
        File.WriteAllText(policy, File.ReadAllText(policy).Replace("https://idp.example.com", issuer, StringComparison.Ordinal));
    }

    [Fact]
    public async Task LoginForwardsTheTokenRefreshesSharesTheKeyAndLogsOutAgainstARealProvider()
    {
        using var provider = await OidcProviderProcess.StartAsync("127.60.92.1", ClientId, ClientSecret, App + "/oauth2/callback", AccessTtl);
        var (echo, _) = await E2e.StartHttpEchoAsync("127.60.93.1", "oidc-app");
        await using var _e = echo;
        await using var run = await CausewayRun.StartAsync("eg-policies/oidc", 90, d => Edit(d, provider.Issuer));
        await using var second = await CausewayRun.StartAsync("eg-policies/oidc", 91, d => Edit(d, provider.Issuer));
        var jar = new CookieContainer();
        using var browser = Browser(run.GatewayAddress, jar);

        // Login: redirect, provider, callback, cookies, then the backend sees the access token and the ID token.
        var echoed = await LoginAsync(browser, provider.Issuer, App + "/private/page?x=1");
        Assert.Equal("/private/page?x=1", (string)echoed["path"]!);
        var bearer = Assert.Single(E2e.EchoHeader(echoed, "Authorization"));
        Assert.StartsWith("Bearer ", bearer, StringComparison.Ordinal);
        var idToken = Assert.Single(E2e.EchoHeader(echoed, "X-Id-Token"));
        Assert.Equal(3, idToken.Split('.').Length);
        var cookies = jar.GetCookies(new Uri(App));
        Assert.NotNull(cookies.FirstOrDefault(c => c.Name.StartsWith("AccessToken-", StringComparison.Ordinal)));
        Assert.DoesNotContain(cookies, c => c.Value.Contains(bearer[7..], StringComparison.Ordinal)); // sealed, not the token itself
        Assert.Equal(HttpStatusCode.OK, (await Get(browser, App + "/public/x")).StatusCode);

        // Refresh: once the access token expired, the refresh token buys a new one (307 back with new cookies).
        await Task.Delay(TimeSpan.FromSeconds(AccessTtl + 1.5));
        var expired = await Get(browser, App + "/private/page");
        Assert.True(expired.StatusCode == HttpStatusCode.TemporaryRedirect, $"after expiry: {(int)expired.StatusCode} {await expired.Content.ReadAsStringAsync()}");
        Assert.Equal(App + "/private/page", Location(expired).ToString());
        Assert.Contains(SetCookies(expired), c => c.StartsWith("AccessToken-", StringComparison.Ordinal));
        var refreshed = await Get(browser, App + "/private/page");
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var newBearer = Assert.Single(E2e.EchoHeader(JsonNode.Parse(await refreshed.Content.ReadAsStringAsync())!, "Authorization"));
        Assert.StartsWith("Bearer ", newBearer, StringComparison.Ordinal);
        Assert.NotEqual(bearer, newBearer);

        // A tampered cookie is no session: the login starts again.
        var tamperedJar = new CookieContainer();
        foreach (Cookie c in jar.GetCookies(new Uri(App)))
        {
            var value = c.Value;
            if (c.Name.StartsWith("AccessToken-", StringComparison.Ordinal)) value = (value[0] == 'A' ? 'B' : 'A') + value[1..];
            tamperedJar.Add(new Uri(App), new Cookie(c.Name, value));
        }
        using (var tampered = Browser(run.GatewayAddress, tamperedJar))
        {
            var r = await Get(tampered, App + "/private/page");
            Assert.Equal(HttpStatusCode.Found, r.StatusCode);
            Assert.StartsWith(provider.Issuer + "/auth?", Location(r).ToString(), StringComparison.Ordinal);
        }

        // The same cookies on another gateway process with the same key: the session holds there too.
        var sharedJar = new CookieContainer();
        foreach (Cookie c in jar.GetCookies(new Uri(App))) sharedJar.Add(new Uri(App), new Cookie(c.Name, c.Value));
        using (var other = Browser(second.GatewayAddress, sharedJar))
        {
            var (r, _) = await GetThroughRefresh(other, App + "/private/other");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.StartsWith("Bearer ", Assert.Single(E2e.EchoHeader(JsonNode.Parse(await r.Content.ReadAsStringAsync())!, "Authorization")), StringComparison.Ordinal);
        }

        // denyRedirect: an AJAX request without a session gets 401, not a redirect.
        using (var anonymous = Browser(run.GatewayAddress, new CookieContainer()))
        {
            var ajax = await Get(anonymous, App + "/private/page", ("X-Requested-With", "XMLHttpRequest"));
            Assert.Equal(HttpStatusCode.Unauthorized, ajax.StatusCode);
            Assert.Equal(HttpStatusCode.Found, (await Get(anonymous, App + "/private/page", ("X-Requested-With", "fetch"))).StatusCode);
            // passThroughAuthHeader: a bearer JWT skips the login and meets the JWT provider instead.
            var withToken = await Get(anonymous, App + "/api", ("Authorization", "Bearer " + idToken));
            Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await Get(anonymous, App + "/api", ("Authorization", "Bearer not.a.jwt"))).StatusCode);
            // A callback that did not start here fails.
            Assert.Equal(HttpStatusCode.Unauthorized, (await Get(anonymous, App + "/oauth2/callback?code=abc&state=xyz")).StatusCode);
        }

        // Logout: cookies cleared, then the provider's end_session_endpoint with the ID token as hint, which it accepts.
        var logout = await Get(browser, App + "/logout");
        Assert.Equal(HttpStatusCode.Found, logout.StatusCode);
        var end = Location(logout);
        Assert.StartsWith(provider.Issuer + "/session/end?", end.ToString(), StringComparison.Ordinal);
        var endQuery = System.Web.HttpUtility.ParseQueryString(end.Query);
        Assert.Equal(ClientId, endQuery["client_id"]);
        Assert.Equal(3, endQuery["id_token_hint"]!.Split('.').Length);
        Assert.Contains(SetCookies(logout), c => c.StartsWith("AccessToken-", StringComparison.Ordinal) && c.Contains("Max-Age=0", StringComparison.Ordinal));
        Assert.DoesNotContain(jar.GetCookies(new Uri(App)), c => !c.Expired && c.Name.StartsWith("Oauth", StringComparison.Ordinal));
        var endPage = await Get(browser, end.ToString());
        Assert.True(endPage.StatusCode == HttpStatusCode.OK, $"end_session: {(int)endPage.StatusCode} {await endPage.Content.ReadAsStringAsync()}");
        var afterLogout = await Get(browser, App + "/private/page");
        Assert.Equal(HttpStatusCode.Found, afterLogout.StatusCode);
        Assert.StartsWith(provider.Issuer + "/auth?", Location(afterLogout).ToString(), StringComparison.Ordinal);

        // Metrics, and no secret or token in status, config dump, plan or logs.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var metrics = await http.GetStringAsync(new Uri(run.MetricsAddress!, "/metrics"));
        foreach (var result in new[] { "redirect", "callback_ok", "callback_error", "session", "refresh", "logout", "denied", "pass" })
            Assert.Contains($"causeway_oidc_requests_total{{policy=\"oidc/oidc-login\",result=\"{result}\"}}", metrics, StringComparison.Ordinal);
        var status = (await run.StatusAsync()).ToJsonString();
        var dump = await http.GetStringAsync(new Uri(run.Admin, "/config_dump"));
        foreach (var text in new[] { status, dump, run.Output, second.Output })
        {
            Assert.DoesNotContain(ClientSecret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(CookieKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain(bearer[7..], text, StringComparison.Ordinal);
            Assert.DoesNotContain(idToken, text, StringComparison.Ordinal);
        }
        Assert.Contains("oidc-login", status, StringComparison.Ordinal);
        Assert.Equal(0, await second.StopAsync());
        Assert.Equal(0, await run.StopAsync());
    }

    private static void SetCookieKey(string dir, string? key)
    {
        var path = Path.Combine(dir, "secrets.yaml");
        var lines = File.ReadAllLines(path).Where(l => !l.TrimStart().StartsWith("hmac-secret:", StringComparison.Ordinal)).ToList();
        if (key is not null) lines.Add("  hmac-secret: " + key);
        File.WriteAllLines(path, lines);
    }

    [Fact]
    public async Task ASessionHoldsOnEveryGatewayWithTheSameKeyDerivedOrConfiguredAndOnNoOther()
    {
        using var provider = await OidcProviderProcess.StartAsync("127.60.92.1", ClientId, ClientSecret, App + "/oauth2/callback", 3600);
        var (echo, _) = await E2e.StartHttpEchoAsync("127.60.93.1", "oidc-app");
        await using var _e = echo;
        // Two gateways without hmac-secret derive the same key from the client secret and the policy; a third with its own key does not.
        await using var derivedA = await CausewayRun.StartAsync("eg-policies/oidc", 90, d => { Edit(d, provider.Issuer); SetCookieKey(d, null); });
        await using var derivedB = await CausewayRun.StartAsync("eg-policies/oidc", 91, d => { Edit(d, provider.Issuer); SetCookieKey(d, null); });
        await using var keyed = await CausewayRun.StartAsync("eg-policies/oidc", 94, d => { Edit(d, provider.Issuer); SetCookieKey(d, "another-cookie-key-abcdefghijklmnop"); });
        var jar = new CookieContainer();
        using var a = Browser(derivedA.GatewayAddress, jar);
        using var b = Browser(derivedB.GatewayAddress, jar);
        using var c = Browser(keyed.GatewayAddress, jar);

        var echoed = await LoginAsync(a, provider.Issuer, App + "/one");
        var bearer = Assert.Single(E2e.EchoHeader(echoed, "Authorization"));
        var onB = await Get(b, App + "/two");
        Assert.Equal(HttpStatusCode.OK, onB.StatusCode);
        Assert.Equal(bearer, Assert.Single(E2e.EchoHeader(JsonNode.Parse(await onB.Content.ReadAsStringAsync())!, "Authorization")));
        var onC = await Get(c, App + "/three");
        Assert.Equal(HttpStatusCode.Found, onC.StatusCode);
        Assert.StartsWith(provider.Issuer + "/auth?", Location(onC).ToString(), StringComparison.Ordinal);

        // A login started on one gateway may come back to another with the same key (the callback reaches any replica).
        jar = new CookieContainer();
        using var a2 = Browser(derivedA.GatewayAddress, jar);
        using var b2 = Browser(derivedB.GatewayAddress, jar);
        var start = await Get(a2, App + "/four");
        Assert.Equal(HttpStatusCode.Found, start.StatusCode);
        var next = Location(start);
        for (var hops = 0; next.Host != "app.example"; hops++)
        {
            Assert.True(hops < 10, "the provider kept redirecting");
            next = Location(await Get(a2, next.ToString()));
        }
        var callback = await Get(b2, next.ToString());
        Assert.Equal(HttpStatusCode.Found, callback.StatusCode);
        Assert.Equal(App + "/four", Location(callback).ToString());
        Assert.Equal(HttpStatusCode.OK, (await Get(a2, App + "/four")).StatusCode);

        // A replayed callback (its login cookie is spent, the code is used) fails.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Get(b2, next.ToString())).StatusCode);
    }

    [Fact]
    public async Task AProviderRestartRotatesItsKeysAndForgetsItsTokens_TheSessionEndsAndTheNextLoginUsesTheNewKeys()
    {
        var provider = await OidcProviderProcess.StartAsync("127.60.92.1", ClientId, ClientSecret, App + "/oauth2/callback", 2);
        try
        {
            var (echo, _) = await E2e.StartHttpEchoAsync("127.60.93.1", "oidc-app");
            await using var _e = echo;
            var issuer = provider.Issuer;
            await using var run = await CausewayRun.StartAsync("eg-policies/oidc", 90, d => Edit(d, issuer));
            var jar = new CookieContainer();
            using var browser = Browser(run.GatewayAddress, jar);
            await LoginAsync(browser, issuer, App + "/page");

            // Same address, new process: new signing key, and the refresh token the session holds means nothing to it.
            var port = provider.Port;
            provider.Dispose();
            provider = await OidcProviderProcess.StartAsync("127.60.92.1", ClientId, ClientSecret, App + "/oauth2/callback", 2, port);
            Assert.Equal(issuer, provider.Issuer);
            await Task.Delay(TimeSpan.FromSeconds(3)); // the access token expires

            var failed = await Get(browser, App + "/page");
            Assert.True(failed.StatusCode == HttpStatusCode.Found, $"refresh with a forgotten token: {(int)failed.StatusCode}");
            Assert.Equal(App + "/page", Location(failed).ToString());
            Assert.Contains(SetCookies(failed), c => c.StartsWith("OauthHMAC-", StringComparison.Ordinal) && c.Contains("Max-Age=0", StringComparison.Ordinal));

            // The next login's ID token is signed with a key the gateway has not fetched yet: it fetches the keys and accepts it.
            var echoed = await LoginAsync(browser, issuer, App + "/page");
            Assert.StartsWith("Bearer ", Assert.Single(E2e.EchoHeader(echoed, "Authorization")), StringComparison.Ordinal);

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var metrics = await http.GetStringAsync(new Uri(run.MetricsAddress!, "/metrics"));
            Assert.Contains("causeway_oidc_requests_total{policy=\"oidc/oidc-login\",result=\"refresh_error\"} 1", metrics, StringComparison.Ordinal);
            Assert.Contains("causeway_oidc_requests_total{policy=\"oidc/oidc-login\",result=\"callback_ok\"} 2", metrics, StringComparison.Ordinal);
            Assert.DoesNotContain("result=\"callback_error\"", metrics, StringComparison.Ordinal);
        }
        finally
        {
            provider.Dispose();
        }
    }
}
