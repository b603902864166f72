using Causeway.DataPlane.Tests.Support;
using Causeway.Model;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies.ClientTraffic;

/// <summary>IR builders for ClientTrafficPolicy tests: one HTTP listener with the policy, routes to an echo backend.</summary>
public static class ClientTrafficIr
{
    public static Translation.Ir.ClientTrafficIr Policy(ClientIpDetectionIr? detection = null) => new()
    {
        Policy = "ns/ctp",
        ClientIpDetection = detection,
        RequestId = RequestIdMode.Preserve,
        WithUnderscores = UnderscoresAction.Allow,
    };

    public static ClientIpDetectionIr Hops(int n) => new() { XffTrustedHops = n };

    public static ClientIpDetectionIr Cidrs(params string[] cidrs) => new() { XffTrustedCidrs = new EquatableArray<string>(cidrs) };

    /// <summary>A rate limit of 1 request an hour for clients in <paramref name="cidr"/> (and none for others) on /limited.</summary>
    public static BackendTrafficPolicyIr OneAnHourFor(string cidr) => new()
    {
        Policy = "ns/limits",
        LocalRateLimit = new LocalRateLimitIr
        {
            Rules = new EquatableArray<RateLimitRuleIr>([new RateLimitRuleIr
            {
                Index = 0,
                Requests = 1,
                UnitSeconds = 3600,
                Conditions = new EquatableArray<RateLimitConditionIr>([new RateLimitConditionIr { Kind = RateLimitConditionKind.SourceCidr, Values = new([cidr]) }]),
            }]),
        },
    };

    /// <summary>Gateway ns/gw, one HTTP listener with <paramref name="policy"/>: / to the echo backend, /limited with <paramref name="limit"/>.</summary>
    public static GatewayIr Gateway(EchoBackend echo, Translation.Ir.ClientTrafficIr policy, BackendTrafficPolicyIr? limit = null)
    {
        var listener = Listener("ns/gw/http", null, Host("*",
            Prefix("/limited", To("ns/e:80", "httproute/ns/limited/rule/0") with { BackendTraffic = limit }),
            Prefix("/", To("ns/e:80", "httproute/ns/web/rule/0")))) with { ClientTraffic = policy };
        return Support.Ir.Gateway("ns/gw", [Port(PortProtocol.Http, 0, listener)], Backend("ns/e:80", echo));
    }
}
