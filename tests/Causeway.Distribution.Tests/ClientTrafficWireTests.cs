using Causeway.Distribution.Security;
using Causeway.Distribution.Wire;
using Causeway.Model;
using Causeway.Translation.Ir;

namespace Causeway.Distribution.Tests;

/// <summary>A listener's ClientTrafficPolicy header edits (early, late with addIfAbsent) and HTTP/1.0 default host reach the proxies whole.</summary>
public sealed class ClientTrafficWireTests
{
    [Fact]
    public void HeaderEditsAndDefaultHostSurviveTheRoundTrip()
    {
        using var ca = CertificateAuthority.Create();
        var ir = TestIr.Build(ca, "default/gw");
        var policy = new ClientTrafficIr
        {
            Policy = "default/ctp",
            EarlyRequestHeaders = new HeaderModifierIr
            {
                Set = new EquatableArray<KeyValuePair<string, string>>([new("x-tenant", "gold")]),
                Remove = new EquatableArray<string>(["x-drop"]),
            },
            LateResponseHeaders = new HeaderModifierIr
            {
                Add = new EquatableArray<KeyValuePair<string, string>>([new("x-late", "late")]),
                AddIfAbsent = new EquatableArray<KeyValuePair<string, string>>([new("x-frame-options", "DENY")]),
            },
            Http10DefaultHost = "app.example",
        };
        var port = ir.Ports[0];
        var withPolicy = ir with { Ports = new([port with { Listeners = new([port.Listeners[0] with { ClientTraffic = policy }]) }]) };
        var (json, keys) = IrCodec.Encode(withPolicy);
        var back = IrCodec.Decode(json, keys);
        Assert.Equal(withPolicy, back);
        var late = back.Ports[0].Listeners[0].ClientTraffic!.LateResponseHeaders!;
        Assert.Equal("DENY", Assert.Single(late.AddIfAbsent!.Value).Value);
        Assert.Null(back.Ports[0].Listeners[0].ClientTraffic!.EarlyRequestHeaders!.AddIfAbsent);
    }
}
