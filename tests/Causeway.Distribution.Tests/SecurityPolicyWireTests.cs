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
    }
}
