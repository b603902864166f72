using Causeway.Distribution.Security;
using Causeway.Distribution.Wire;
using Causeway.Model;
using Causeway.Translation.Ir;

namespace Causeway.Distribution.Tests;

/// <summary>A SecurityPolicy's secrets reach the proxies over the (mutual TLS) distribution channel, whole.</summary>
public sealed class SecurityPolicyWireTests
{
    [Fact]
    public void ApiKeysAndHashesSurviveTheRoundTrip()
    {
        using var ca = CertificateAuthority.Create();
        var ir = TestIr.Build(ca, "default/gw");
        var security = new SecurityPolicyIr
        {
            Policy = "default/sp",
            ApiKeyAuth = new ApiKeyAuthIr
            {
                Clients = new EquatableArray<ApiKeyClientIr>([new("c1", new SecretText("k-1"))]),
                Sources = new EquatableArray<CredentialSourceIr>([new(CredentialSourceKind.Header, "x-api-key")]),
            },
            BasicAuth = new BasicAuthIr { Source = "default/users", Users = new EquatableArray<HtpasswdUserIr>([new("foo", new SecretText("{SHA}x"))]) },
            ExtAuth = new ExtAuthIr
            {
                Protocol = ExtAuthProtocol.Grpc,
                BackendId = "Backend:default/auth/h2c",
                HeadersToExtAuth = new EquatableArray<string>(["x-client-id"]),
                MaxRequestBytes = 1024,
                ContextExtensions = new EquatableArray<ExtAuthContextIr>([new("tenant", "blue"), new("token", null, new SecretText("ctx-secret"))]),
                Timeout = TimeSpan.FromMilliseconds(1500),
                FailOpen = true,
                StatusOnError = 503,
                IncludeRouteMetadata = true,
                RouteMetadata = new RouteMetadataIr
                {
                    Kind = "HTTPRoute", Namespace = "default", Name = "web", SectionName = "api",
                    Annotations = new EquatableArray<KeyValuePair<string, string>>([new("foo", "bar")]),
                },
            },
        };
        var port = ir.Ports[0];
        var listener = port.Listeners[0];
        var host = listener.Http!.VirtualHosts[0];
        var match = host.Matches[0];
        var withPolicy = ir with
        {
            Ports = new([port with { Listeners = new([listener with { Http = listener.Http with { VirtualHosts = new([host with { Matches = new([match with { Rule = match.Rule with { Security = security } }]) }]) } }]) }]),
        };
        var (json, keys) = IrCodec.Encode(withPolicy);
        var back = IrCodec.Decode(json, keys);
        Assert.Equal(withPolicy, back);
        Assert.Equal("k-1", back.Ports[0].Listeners[0].Http!.VirtualHosts[0].Matches[0].Rule.Security!.ApiKeyAuth!.Clients[0].Key.Value);
        Assert.Equal("ctx-secret", back.Ports[0].Listeners[0].Http!.VirtualHosts[0].Matches[0].Rule.Security!.ExtAuth!.ContextExtensions[1].Secret!.Value);
        Assert.Equal("api", back.Ports[0].Listeners[0].Http!.VirtualHosts[0].Matches[0].Rule.Security!.ExtAuth!.RouteMetadata!.SectionName);
    }

    [Fact]
    public void OidcClientSecretAndCookieKeySurviveTheRoundTrip()
    {
        using var ca = CertificateAuthority.Create();
        var ir = TestIr.Build(ca, "default/gw");
        var security = new SecurityPolicyIr
        {
            Policy = "default/sp",
            Oidc = new OidcIr
            {
                Policy = "default/sp",
                Issuer = "https://idp.example.com",
                ClientId = "client",
                ClientSecret = new SecretText("client-secret"),
                CookieKey = new SecretText("Y29va2llLWtleS0wMTIzNDU2Nzg5"),
                Scopes = new EquatableArray<string>(["openid", "email"]),
                RedirectUrl = "https://www.example.com/oauth2/callback",
                LogoutPath = "/logout",
                DefaultTokenTtl = TimeSpan.FromMinutes(30),
                CookieSuffix = "12345678",
                AccessTokenCookie = "AccessToken-12345678",
                IdTokenCookie = "IdToken-12345678",
                SameSite = "Lax",
                DenyRedirect = new EquatableArray<OidcHeaderMatchIr>([new("X-Requested-With", "Exact", "XMLHttpRequest")]),
            },
        };
        var port = ir.Ports[0];
        var listener = port.Listeners[0];
        var host = listener.Http!.VirtualHosts[0];
        var match = host.Matches[0];
        var withPolicy = ir with
        {
            Ports = new([port with { Listeners = new([listener with { Http = listener.Http with { VirtualHosts = new([host with { Matches = new([match with { Rule = match.Rule with { Security = security } }]) }]) } }]) }]),
        };
        var (json, keys) = IrCodec.Encode(withPolicy);
        var back = IrCodec.Decode(json, keys);
        Assert.Equal(withPolicy, back);
        var oidc = back.Ports[0].Listeners[0].Http!.VirtualHosts[0].Matches[0].Rule.Security!.Oidc!;
        Assert.Equal("client-secret", oidc.ClientSecret.Value);
        Assert.Equal("Y29va2llLWtleS0wMTIzNDU2Nzg5", oidc.CookieKey!.Value);
    }
}
