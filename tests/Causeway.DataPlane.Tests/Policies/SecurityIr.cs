using Causeway.DataPlane.Tests.Support;
using Causeway.Model;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies;

/// <summary>IR builders for SecurityPolicy tests: /secure carries the policy, /open none, both to the echo backend.</summary>
public static class SecurityIr
{
    public static GatewayIr Gateway(EchoBackend echo, SecurityPolicyIr policy) =>
        Support.Ir.Gateway("ns/gw", [HttpPort(Host("*",
            Prefix("/secure", To("ns/e:80", "httproute/ns/secure/rule/0") with { Security = policy }),
            Prefix("/open", To("ns/e:80", "httproute/ns/open/rule/0"))))], Backend("ns/e:80", echo));

    public static JwtProviderIr Provider(string name, string? localJwks = null, string? remote = null, params ClaimToHeaderIr[] claims) => new()
    {
        Name = name,
        Issuer = "https://issuer.example",
        Audiences = new EquatableArray<string>(["api"]),
        LocalJwks = localJwks,
        RemoteJwksUri = remote,
        CacheDuration = TimeSpan.FromMilliseconds(300),
        RetryInterval = TimeSpan.FromMilliseconds(100),
        Sources = new EquatableArray<CredentialSourceIr>([new(CredentialSourceKind.Header, "Authorization", "Bearer "), new(CredentialSourceKind.Param, "access_token")]),
        ClaimToHeaders = new EquatableArray<ClaimToHeaderIr>(claims),
    };

    public static SecurityPolicyIr Jwt(params JwtProviderIr[] providers) =>
        new() { Policy = "ns/sec", Jwt = new JwtIr { Providers = new EquatableArray<JwtProviderIr>(providers) } };
}
