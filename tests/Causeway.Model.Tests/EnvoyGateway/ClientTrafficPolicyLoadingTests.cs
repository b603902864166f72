using Causeway.Model.Loading;
using Causeway.Model.Schema;
using Causeway.Model.Snapshot;

namespace Causeway.Model.Tests.EnvoyGateway;

public class ClientTrafficPolicyLoadingTests
{
    private static readonly ManifestLoader Loader = new(CrdObjectValidator.Default);

    [Fact]
    public void LoadsAsWrittenIntoTheSnapshot()
    {
        var result = Loader.LoadText("""
            apiVersion: gateway.envoyproxy.io/v1alpha1
            kind: ClientTrafficPolicy
            metadata: {name: ctp, namespace: apps}
            spec:
              targetRefs:
              - {group: gateway.networking.k8s.io, kind: Gateway, name: eg, sectionName: http}
              clientIPDetection:
                xForwardedFor: {trustedCIDRs: [10.0.0.0/8], disableXForwardedForAppend: true}
              headers: {requestID: PreserveOrGenerate, withUnderscoresAction: DropHeader, enableEnvoyHeaders: true}
              healthCheck: {path: /ready}
              proxyProtocol: {optional: true}
              tls: {minVersion: "1.2", maxVersion: "1.2", ciphers: [ECDHE-RSA-AES128-GCM-SHA256], alpnProtocols: [http/1.1]}
              connection: {connectionLimit: {value: 5, closeDelay: 1s}}
              timeout: {http: {idleTimeout: 10s, requestReceivedTimeout: 5s}}
              tcpKeepalive: {probes: 3}
            """);
        Assert.Empty(result.Errors);
        var ctp = Assert.Single(ResourceSnapshot.Create(result.Objects).ClientTrafficPolicies);
        Assert.Equal("http", Assert.Single(ctp.TargetRefs).SectionName);
        Assert.Equal("10.0.0.0/8", Assert.Single(ctp.Spec.ClientIPDetection!.XForwardedFor!.TrustedCIDRs!));
        Assert.True(ctp.Spec.ClientIPDetection.XForwardedFor.DisableXForwardedForAppend);
        Assert.Equal("PreserveOrGenerate", ctp.Spec.Headers!.RequestID);
        Assert.Equal("DropHeader", ctp.Spec.Headers.WithUnderscoresAction);
        Assert.Equal("/ready", ctp.Spec.HealthCheck!.Path);
        Assert.True(ctp.Spec.ProxyProtocol!.Optional);
        Assert.Equal("1.2", ctp.Spec.Tls!.MaxVersion);
        Assert.Equal("http/1.1", Assert.Single(ctp.Spec.Tls.AlpnProtocols!));
        Assert.Equal(5, ctp.Spec.Connection!.ConnectionLimit!.Value);
        Assert.Equal("10s", ctp.Spec.Timeout!.Http!.IdleTimeout);
        Assert.Contains("tcpKeepalive", ctp.Spec.Unmodelled!.Keys);
    }

    [Theory]
    [InlineData("clientIPDetection: {xForwardedFor: {numTrustedHops: 1, trustedCIDRs: [10.0.0.0/8]}}", "only one of numTrustedHops or trustedCIDRs")]
    [InlineData("headers: {requestID: Generate, preserveXRequestID: true}", "cannot both be set")]
    [InlineData("tls: {minVersion: \"1.3\", maxVersion: \"1.2\"}", "minVersion must be smaller or equal to maxVersion")]
    [InlineData("headers: {withUnderscoresAction: Sometimes}", "withUnderscoresAction")]
    public void TheCrdRulesRejectWhatEnvoyGatewayRejects(string field, string message)
    {
        var result = Loader.LoadText($$"""
            apiVersion: gateway.envoyproxy.io/v1alpha1
            kind: ClientTrafficPolicy
            metadata: {name: ctp, namespace: apps}
            spec:
              targetRefs: [{group: gateway.networking.k8s.io, kind: Gateway, name: eg}]
              {{field}}
            """);
        Assert.Contains(result.Errors, e => e.ToString().Contains(message, StringComparison.Ordinal));
    }
}
