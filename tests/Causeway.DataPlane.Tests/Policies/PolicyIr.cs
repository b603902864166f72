using Causeway.DataPlane.Tests.Support;
using Causeway.Model;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies;

/// <summary>IR builders for BackendTrafficPolicy tests: one route to an echo backend with a policy on its rule.</summary>
public static class PolicyIr
{
    public static RateLimitRuleIr Limit(int index, long requests, long unitSeconds, params RateLimitConditionIr[] conditions) => new()
    {
        Index = index,
        Requests = requests,
        UnitSeconds = unitSeconds,
        Conditions = new EquatableArray<RateLimitConditionIr>(conditions),
    };

    public static RateLimitConditionIr HeaderIs(string name, string value) =>
        new() { Kind = RateLimitConditionKind.Header, Name = name, Values = new EquatableArray<string>([value]) };

    public static BackendTrafficPolicyIr RateLimited(params RateLimitRuleIr[] rules) => new()
    {
        Policy = "ns/limits",
        LocalRateLimit = new LocalRateLimitIr { Rules = new EquatableArray<RateLimitRuleIr>(rules) },
    };

    /// <summary>Gateway ns/gw: /limited (the policy) and /free (none) to the echo backend; <paramref name="extra"/> adds a route.</summary>
    public static GatewayIr Gateway(EchoBackend echo, BackendTrafficPolicyIr policy, string? extra = null)
    {
        var matches = new List<HttpMatchIr>
        {
            Prefix("/limited", To("ns/e:80", "httproute/ns/limited/rule/0") with { BackendTraffic = policy }),
            Prefix("/free", To("ns/e:80", "httproute/ns/free/rule/0")),
        };
        if (extra is not null) matches.Insert(0, Prefix(extra, To("ns/e:80", "httproute/ns/extra/rule/0")));
        return Support.Ir.Gateway("ns/gw", [HttpPort(Host("*", [.. matches]))], Backend("ns/e:80", echo));
    }
}
