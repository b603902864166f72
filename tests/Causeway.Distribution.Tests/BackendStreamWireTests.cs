using Causeway.Distribution.Security;
using Causeway.Distribution.Wire;
using Causeway.Model;
using Causeway.Translation.Ir;

namespace Causeway.Distribution.Tests;

/// <summary>A BackendTrafficPolicy's httpUpgrade, bandwidthLimit and dns.respectDnsTtl reach the proxies whole.</summary>
public sealed class BackendStreamWireTests
{
    [Fact]
    public void UpgradesBandwidthAndTtlSurviveTheRoundTrip()
    {
        using var ca = CertificateAuthority.Create();
        var ir = TestIr.Build(ca, "default/gw");
        var policy = new BackendTrafficPolicyIr
        {
            Policy = "default/streams",
            HttpUpgrade = new HttpUpgradeIr { Types = new EquatableArray<string>(["spdy/3.1", "my-protocol/2"]) },
            BandwidthLimit = new BandwidthLimitIr { Request = new BandwidthRateIr { Bytes = 10240, UnitSeconds = 1 }, Response = new BandwidthRateIr { Bytes = 1 << 20, UnitSeconds = 60 } },
            DnsRespectTtl = true,
        };
        var port = ir.Ports[0];
        var listener = port.Listeners[0];
        var host = listener.Http!.VirtualHosts[0];
        var match = host.Matches[0];
        var withPolicy = ir with
        {
            Ports = new([port with { Listeners = new([listener with { Http = listener.Http with { VirtualHosts = new([host with { Matches = new([match with { Rule = match.Rule with { BackendTraffic = policy } }]) }]) } }]) }]),
            Backends = new([.. ir.Backends.Select(b => b with { DnsRespectTtl = true })]),
        };
        var (json, keys) = IrCodec.Encode(withPolicy);
        var back = IrCodec.Decode(json, keys);
        Assert.Equal(withPolicy, back);
        var traffic = back.Ports[0].Listeners[0].Http!.VirtualHosts[0].Matches[0].Rule.BackendTraffic!;
        Assert.Equal(["spdy/3.1", "my-protocol/2"], traffic.HttpUpgrade!.Types);
        Assert.Equal(60, traffic.BandwidthLimit!.Response!.UnitSeconds);
        Assert.All(back.Backends, b => Assert.True(b.DnsRespectTtl));
    }
}
