using Causeway.Distribution.Security;
using Causeway.Distribution.Wire;
using Causeway.Model;
using Causeway.Translation.Ir;

namespace Causeway.Distribution.Tests;

/// <summary>A listener's ClientTrafficPolicy header edits (early, late with addIfAbsent and removeOnMatch), enableEnvoyHeaders, HTTP/1.0 default host and the port's buffer limits reach the proxies whole.</summary>
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
                RemoveOnMatch = new EquatableArray<HeaderNameMatchIr>([new(HeaderValueMatchKind.Prefix, "x-internal-"), new(HeaderValueMatchKind.RegularExpression, "x-debug-[0-9]+")]),
            },
            Http10DefaultHost = "app.example",
            EnableEnvoyHeaders = true,
        };
        var port = ir.Ports[0];
        var connection = new ClientConnectionIr { Policy = "default/ctp", BufferLimit = 16384, SocketBufferLimit = 65536 };
        var withPolicy = ir with { Ports = new([port with { Listeners = new([port.Listeners[0] with { ClientTraffic = policy }]), Connection = connection }]) };
        var (json, keys) = IrCodec.Encode(withPolicy);
        var back = IrCodec.Decode(json, keys);
        Assert.Equal(withPolicy, back);
        var late = back.Ports[0].Listeners[0].ClientTraffic!.LateResponseHeaders!;
        Assert.Equal("DENY", Assert.Single(late.AddIfAbsent!.Value).Value);
        Assert.Null(back.Ports[0].Listeners[0].ClientTraffic!.EarlyRequestHeaders!.AddIfAbsent);
        Assert.Equal(2, late.RemoveOnMatch!.Value.Count);
        Assert.True(back.Ports[0].Listeners[0].ClientTraffic!.EnableEnvoyHeaders);
        Assert.Equal(65536, back.Ports[0].Connection!.SocketBufferLimit);
    }
}
