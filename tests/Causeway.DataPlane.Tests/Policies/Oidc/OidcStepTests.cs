using System.Net;
using System.Net.Sockets;
using System.Text;
using Causeway.DataPlane.Policies.Oidc;
using Causeway.DataPlane.Tests.Support;
using Causeway.Model;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Tests.Policies.Oidc;

/// <summary>
/// The OIDC step where no provider is needed (or none answers), through real sockets on an in-process gateway: a
/// provider that is down, callbacks that did not start here, logout without a provider, denyRedirect; and the cookie
/// seal's bindings (key, policy, cookie name).
/// </summary>
public sealed class OidcStepTests
{
    private static int ClosedPort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port; // closed again when disposed: connections are refused
    }

    private static OidcIr Oidc(string issuer) => new()
    {
        Policy = "ns/sec",
        Issuer = issuer,
        ClientId = "client",
        ClientSecret = new SecretText("client-secret"),
        Scopes = new EquatableArray<string>(["openid"]),
        RedirectUrl = "%REQ(x-forwarded-proto)%://%REQ(:authority)%/secure/oauth2/callback",
        LogoutPath = "/secure/logout",
        ForwardAccessToken = true,
        CookieSuffix = "0badcafe",
        AccessTokenCookie = "AccessToken-0badcafe",
        IdTokenCookie = "IdToken-0badcafe",
        DenyRedirect = new EquatableArray<OidcHeaderMatchIr>([new("X-Requested-With", "Exact", "XMLHttpRequest"), new("Accept", "RegularExpression", "application/(json|xml)")]),
    };

    [Fact]
    public async Task A_provider_that_is_down_gets_503_after_a_bounded_wait_and_what_needs_no_provider_still_works()
    {
        await using var echo = await EchoBackend.StartAsync("e");
        var policy = new SecurityPolicyIr { Policy = "ns/sec", Oidc = Oidc($"http://127.0.0.1:{ClosedPort()}") };
        await using var g = await TestGateway.StartAsync(SecurityIr.Gateway(echo, policy));

        var sw = System.Diagnostics.Stopwatch.StartNew();
        using var down = await g.GetAsync("h", "/secure/page");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Equal("OIDC provider unavailable", await down.Content.ReadAsStringAsync());
        Assert.InRange(sw.Elapsed, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(20)); // the 5 s wait for discovery, bounded

        using var ajax = await g.GetAsync("h", "/secure/page", ("X-Requested-With", "XMLHttpRequest"));
        Assert.Equal(HttpStatusCode.Unauthorized, ajax.StatusCode);
        using var json = await g.GetAsync("h", "/secure/page", ("Accept", "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, json.StatusCode);

        // A callback without the login cookie, or with the provider's error, fails at once (no provider needed).
        sw.Restart();
        using var callback = await g.GetAsync("h", "/secure/oauth2/callback?code=abc&state=def");
        Assert.Equal(HttpStatusCode.Unauthorized, callback.StatusCode);
        Assert.Equal("OAuth flow failed.", await callback.Content.ReadAsStringAsync());
        using var error = await g.GetAsync("h", "/secure/oauth2/callback?error=access_denied&state=def");
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(4.5), $"the failed callbacks waited on the provider ({sw.Elapsed})"); // waiting would take 5 s each

        // Logout without provider metadata: cookies cleared, back to /.
        using var logout = await g.GetAsync("h", "/secure/logout");
        Assert.Equal(HttpStatusCode.Found, logout.StatusCode);
        Assert.Equal("/", logout.Headers.Location!.ToString());
        Assert.Contains(logout.Headers.GetValues("Set-Cookie"), c => c.StartsWith("OauthHMAC-0badcafe=deleted; Max-Age=0", StringComparison.Ordinal));

        // A forged session (cookies sealed with another key) is no session: the request does not reach the backend.
        var forger = new OidcCookieSeal(Encoding.UTF8.GetBytes("guessed-secret"), "ns/sec", "client");
        var access = forger.Seal("AccessToken-0badcafe", "forged-token");
        var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var cookie = $"OauthHMAC-0badcafe={forger.Mac([expires, access, null, null])}; OauthExpires-0badcafe={expires}; AccessToken-0badcafe={access}";
        using var forged = await g.GetAsync("h", "/secure/page", ("Cookie", cookie), ("X-Requested-With", "XMLHttpRequest"));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);

        var runtime = Assert.Single(g.Plane.State.Values<OidcRuntime>());
        Assert.Equal(1, runtime.CountOf(OidcResult.Unavailable));
        Assert.Equal(3, runtime.CountOf(OidcResult.Denied));
        Assert.Equal(2, runtime.CountOf(OidcResult.CallbackError));
        Assert.Equal(1, runtime.CountOf(OidcResult.Logout));
        Assert.Equal(0, runtime.CountOf(OidcResult.Session));
    }

    [Fact]
    public void The_seal_opens_only_with_the_same_key_policy_client_and_cookie_name()
    {
        var key = Encoding.UTF8.GetBytes("client-secret");
        var seal = new OidcCookieSeal(key, "ns/sec", "client");
        var sealedText = seal.Seal("AccessToken-x", "token-value");
        Assert.DoesNotContain("token-value", sealedText, StringComparison.Ordinal);
        Assert.Equal("token-value", new OidcCookieSeal(key, "ns/sec", "client").Open("AccessToken-x", sealedText)); // another process, same key
        Assert.Null(new OidcCookieSeal(key, "ns/other", "client").Open("AccessToken-x", sealedText));
        Assert.Null(new OidcCookieSeal(key, "ns/sec", "other-client").Open("AccessToken-x", sealedText));
        Assert.Null(new OidcCookieSeal(Encoding.UTF8.GetBytes("client-secreT"), "ns/sec", "client").Open("AccessToken-x", sealedText));
        Assert.Null(seal.Open("IdToken-x", sealedText)); // moved to another cookie
        var bytes = System.Buffers.Text.Base64Url.DecodeFromChars(sealedText);
        bytes[^1] ^= 1;
        Assert.Null(seal.Open("AccessToken-x", System.Buffers.Text.Base64Url.EncodeToString(bytes)));
        Assert.Null(seal.Open("AccessToken-x", "not base64 !"));
        Assert.Null(seal.Open("AccessToken-x", "AAAA"));
        Assert.NotEqual(sealedText, seal.Seal("AccessToken-x", "token-value")); // a fresh nonce every time

        var mac = seal.Mac(["1700000000", "a", null, "r"]);
        Assert.True(seal.Verify(mac, ["1700000000", "a", null, "r"]));
        Assert.False(seal.Verify(mac, ["1700000001", "a", null, "r"]));
        Assert.False(seal.Verify(mac, ["1700000000", "a", "", "r"]));
        Assert.False(new OidcCookieSeal(key, "ns/other", "client").Verify(mac, ["1700000000", "a", null, "r"]));
    }

    [Fact]
    public void A_verified_session_is_remembered_only_with_the_exact_cookies_that_verified()
    {
        var ir = Oidc("https://idp.example");
        var names = new OidcCookies(ir);
        var seal = new OidcCookieSeal(Encoding.UTF8.GetBytes("client-secret"), "ns/sec", "client");
        var cache = new OidcSession.Cache();
        var access = seal.Seal(names.Access, "access-token");
        var id = seal.Seal(names.Id, "id-token");
        const string expires = "4102444800";
        var mac = seal.Mac([expires, access, id, null]);
        var header = $"a=1; {names.Hmac}={mac}; {names.Expires}={expires}; {names.Access}={access};{names.Id}={id}";
        var first = OidcSession.Read(header, names, seal, cache);
        Assert.NotNull(first);
        Assert.Equal("Bearer access-token", first.AccessBearer);
        Assert.Equal("id-token", first.IdToken);
        Assert.Equal(4102444800, first.ExpiresUnix);
        Assert.Same(first, OidcSession.Read(header, names, seal, cache)); // from the cache
        Assert.Equal(1, cache.Count);
        // Same MAC cookie, anything else changed: verified again, and refused.
        Assert.Null(OidcSession.Read(header.Replace(expires, "4102444801", StringComparison.Ordinal), names, seal, cache));
        Assert.Null(OidcSession.Read(header.Replace($";{names.Id}={id}", "", StringComparison.Ordinal), names, seal, cache));
        Assert.Null(OidcSession.Read(header + $"; {names.Refresh}={seal.Seal(names.Refresh, "r")}", names, seal, cache));
        Assert.Null(OidcSession.Read(header.Replace(access, seal.Seal(names.Access, "other-token"), StringComparison.Ordinal), names, seal, cache));
        // The same session read by a process that never saw it (empty cache) verifies on its own.
        Assert.Equal("Bearer access-token", OidcSession.Read(header, names, seal, new OidcSession.Cache())!.AccessBearer);
    }
}
