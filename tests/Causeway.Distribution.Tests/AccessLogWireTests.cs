using Causeway.Distribution.Security;
using Causeway.Distribution.Wire;
using Causeway.Model;
using Causeway.Translation.Ir;

namespace Causeway.Distribution.Tests;

/// <summary>A Gateway's EnvoyProxy access logs reach the proxies whole (formats, matches, sinks, resources).</summary>
public sealed class AccessLogWireTests
{
    [Fact]
    public void AccessLogSettingsSurviveTheRoundTrip()
    {
        using var ca = CertificateAuthority.Create();
        var ir = TestIr.Build(ca, "default/gw") with
        {
            AccessLog = new AccessLogIr
            {
                Settings = new EquatableArray<AccessLogSettingIr>([
                    new AccessLogSettingIr
                    {
                        Source = "EnvoyProxy ns/p spec.telemetry.accessLog.settings[0]",
                        Scope = AccessLogScope.Listener,
                        Format = AccessLogFormatType.Json,
                        Json = new EquatableArray<AccessLogFieldIr>([new("code", "%RESPONSE_CODE%"), new("path", "%REQ(:PATH)%")]),
                        Matches = new EquatableArray<string>(["'x' in request.headers"]),
                        Sinks = new EquatableArray<AccessLogSinkIr>([
                            new AccessLogSinkIr { Kind = AccessLogSinkKind.File, Path = "/var/log/a.log" },
                            new AccessLogSinkIr { Kind = AccessLogSinkKind.OpenTelemetry, Endpoint = "http://10.0.0.7:4317", Resources = new EquatableArray<AccessLogFieldIr>([new("k8s.cluster.name", "c1")]) },
                        ]),
                    },
                    new AccessLogSettingIr { Source = "EnvoyProxy ns/p spec.telemetry.accessLog.settings[1]", Format = AccessLogFormatType.Text, Text = "%DURATION%\n" },
                ]),
            },
        };
        var (json, keys) = IrCodec.Encode(ir);
        Assert.Equal(ir, IrCodec.Decode(json, keys));

        var disabled = ir with { AccessLog = new AccessLogIr { Disabled = true } };
        (json, keys) = IrCodec.Encode(disabled);
        Assert.Equal(disabled, IrCodec.Decode(json, keys));
    }
}
