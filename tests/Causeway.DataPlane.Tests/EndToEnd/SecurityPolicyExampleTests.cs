using System.Net;
using System.Text;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>
/// examples/eg-policies/security through <c>causeway run</c>: basic auth, API keys, JWT with a claim rule on one route
/// rule, CORS, as a client sees them, and the policies' status.
/// </summary>
public sealed class SecurityPolicyExampleTests
{
    [Fact]
    public async Task SecurityExampleAuthenticatesAndAuthorizesAsWritten()
    {
        var (echo, _) = await E2e.StartHttpEchoAsync("127.61.41.1", "echo-pod");
        await using var _e = echo;
        await using var run = await CausewayRun.StartAsync("eg-policies/security", 41, d => E2e.RetargetSlice(d, "backends.yaml", "nginx-local", "127.61.41.1"));
        using var client = E2e.Client(run.GatewayAddress);
        var admin = File.ReadAllText(Path.Combine(run.Dir, "token-admin.jwt")).Trim();
        var user = File.ReadAllText(Path.Combine(run.Dir, "token-user.jwt")).Trim();

        async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> Send(string path, HttpMethod? method = null, params (string, string)[] headers)
        {
            var req = new HttpRequestMessage(method ?? HttpMethod.Get, "http://security.example:8080" + path);
            foreach (var (n, v) in headers) req.Headers.TryAddWithoutValidation(n, v);
            var r = await client.SendAsync(req);
            return (r.StatusCode, await r.Content.ReadAsStringAsync(), r);
        }
        string Basic(string u, string p) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(u + ":" + p));

        var basic = await Send("/basic", null, ("Authorization", Basic("foo", "bar")));
        Assert.Equal(HttpStatusCode.OK, basic.Status);
        Assert.Contains("foo", basic.Body, StringComparison.Ordinal); // x-user reached the backend
        var noCreds = await Send("/basic");
        Assert.Equal(HttpStatusCode.Unauthorized, noCreds.Status);
        Assert.StartsWith("Basic realm=", noCreds.Response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send("/basic", null, ("Authorization", Basic("foo", "wrong")))).Status);

        Assert.Equal(HttpStatusCode.OK, (await Send("/apikey", null, ("x-api-key", "supersecret"))).Status);
        Assert.Equal(HttpStatusCode.OK, (await Send("/apikey?api_key=supersecret2")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send("/apikey", null, ("x-api-key", "nope"))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send("/apikey")).Status);

        Assert.Equal(HttpStatusCode.OK, (await Send("/jwt/any", null, ("Authorization", "Bearer " + user))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send("/jwt/any")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Send("/jwt/admin", null, ("Authorization", "Bearer " + admin))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Send("/jwt/admin", null, ("Authorization", "Bearer " + user))).Status);
        var preflight = await Send("/jwt/any", HttpMethod.Options, ("Origin", "https://www.example.com"), ("Access-Control-Request-Method", "POST"));
        Assert.Equal(HttpStatusCode.OK, preflight.Status);
        Assert.Equal("https://www.example.com", preflight.Response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("600", preflight.Response.Headers.GetValues("Access-Control-Max-Age").Single());
        Assert.Equal(HttpStatusCode.OK, (await Send("/open")).Status);

        var status = (await run.StatusAsync()).ToJsonString();
        Assert.Contains("jwt-admin-only", status, StringComparison.Ordinal);
        Assert.DoesNotContain("supersecret", status, StringComparison.Ordinal);
        Assert.DoesNotContain("Ys23Ag", status, StringComparison.Ordinal);
        using var dump = await new HttpClient().GetAsync(new Uri(run.Admin, "/config_dump"));
        var config = await dump.Content.ReadAsStringAsync();
        Assert.Contains("apikey-auth-example", config, StringComparison.Ordinal);
        Assert.DoesNotContain("supersecret", config, StringComparison.Ordinal);
        Assert.DoesNotContain("Ys23Ag", config, StringComparison.Ordinal);
        Assert.Equal(0, await run.StopAsync());
    }
}
