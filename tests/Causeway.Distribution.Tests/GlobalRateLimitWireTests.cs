using Causeway.Distribution.Security;
using Causeway.Distribution.Wire;
using Causeway.Model;
using Causeway.Translation.Ir;

namespace Causeway.Distribution.Tests;

/// <summary>A BackendTrafficPolicy's global rate limit (costs, shadow mode, shared) reaches the proxies whole.</summary>
public sealed class GlobalRateLimitWireTests
{
    [Fact]
    public void GlobalRulesSurviveTheRoundTrip()
    {
        using var ca = CertificateAuthority.Create();
        var ir = TestIr.Build(ca, "default/gw");
        var policy = new BackendTrafficPolicyIr
        {
            Policy = "default/limits",
            GlobalRateLimit = new GlobalRateLimitIr
            {
                Rules = new EquatableArray<RateLimitRuleIr>([
                    new RateLimitRuleIr { Index = 0, Requests = 5, UnitSeconds = 60, Shared = true, Cost = new RateLimitCostIr { Request = 0, Response = 3 } },
                    new RateLimitRuleIr
                    {
                        Index = 1, Requests = 1, UnitSeconds = 1, ShadowMode = true, Headers = false,
                        Conditions = new EquatableArray<RateLimitConditionIr>([new RateLimitConditionIr { Kind = RateLimitConditionKind.Header, Match = RateLimitMatch.Distinct, Name = "x-user" }]),
                    },
                ]),
            },
        };
        var port = ir.Ports[0];
        var listener = port.Listeners[0];
        var host = listener.Http!.VirtualHosts[0];
        var match = host.Matches[0];
        var withPolicy = ir with
        {
            Ports = new([port with { Listeners = new([listener with { Http = listener.Http with { VirtualHosts = new([host with { Matches = new([match with { Rule = match.Rule with { BackendTraffic = policy } }]) }]) } }]) }]),
        };
        var (json, keys) = IrCodec.Encode(withPolicy);
        var back = IrCodec.Decode(json, keys);
        Assert.Equal(withPolicy, back);
        var rules = back.Ports[0].Listeners[0].Http!.VirtualHosts[0].Matches[0].Rule.BackendTraffic!.GlobalRateLimit!.Rules;
        Assert.True(rules[1].ShadowMode);
        Assert.Equal(3, rules[0].Cost!.Response);
    }
}
