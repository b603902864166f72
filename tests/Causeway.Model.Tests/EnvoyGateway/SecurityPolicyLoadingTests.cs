using Causeway.Model.Loading;
using Causeway.Model.Schema;
using Causeway.Model.Snapshot;

namespace Causeway.Model.Tests.EnvoyGateway;

public class SecurityPolicyLoadingTests
{
    private static readonly ManifestLoader Loader = new(CrdObjectValidator.Default);

    [Fact]
    public void LoadsAsWrittenIntoTheSnapshotWithUnmodelledFieldsKept()
    {
        Assert.True(CrdSchemaSet.Standard.IsServed("gateway.envoyproxy.io", "v1alpha1", "SecurityPolicy"));
        var result = Loader.LoadText("""
            apiVersion: gateway.envoyproxy.io/v1alpha1
            kind: SecurityPolicy
            metadata: {name: sp, namespace: apps}
            spec:
              targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: web}]
              apiKeyAuth:
                credentialRefs: [{name: keys}]
                extractFrom: [{headers: [x-api-key]}, {params: [k]}]
                forwardClientIDHeader: x-client
              jwt:
                providers:
                - name: p
                  localJWKS: {type: Inline, inline: '{"keys":[]}'}
                  extractFrom: {headers: [{name: X-Token, valuePrefix: "T "}]}
              authorization:
                defaultAction: Allow
                rules:
                - action: Deny
                  principal: {clientCIDRs: [10.0.0.0/8]}
              oidc:
                provider: {issuer: "https://accounts.example", backendRefs: [{name: idp, port: 443}]}
                clientID: c
                clientSecret: {name: s}
                cookieNames: {accessToken: at}
                denyRedirect: {headers: [{name: X-Requested-With, value: XMLHttpRequest}]}
              extAuth:
                http: {backendRefs: [{name: auth, port: 80}]}
            """);
        Assert.Empty(result.Errors);
        var sp = Assert.Single(ResourceSnapshot.Create(result.Objects).SecurityPolicies);
        Assert.Equal("x-client", sp.Spec.ApiKeyAuth!.ForwardClientIdHeader);
        Assert.Equal("T ", sp.Spec.Jwt!.Providers[0].ExtractFrom!.Headers[0].ValuePrefix);
        Assert.Equal("{\"keys\":[]}", sp.Spec.Jwt.Providers[0].LocalJwks!.Inline);
        Assert.Equal("10.0.0.0/8", sp.Spec.Authorization!.Rules[0].Principal!.ClientCidrs[0]);
        Assert.Equal("c", sp.Spec.Oidc!.ClientId);
        Assert.Equal("https://accounts.example", sp.Spec.Oidc.Provider!.Issuer);
        Assert.Contains("backendRefs", sp.Spec.Oidc.Provider.Unmodelled!.Keys);
        Assert.Equal("at", sp.Spec.Oidc.CookieNames!.AccessToken);
        Assert.Equal("XMLHttpRequest", sp.Spec.Oidc.DenyRedirect!.Headers[0].Value);
        Assert.Contains("extAuth", sp.Spec.Unmodelled!.Keys);
    }

    [Fact]
    public void TheCrdsCelRulesApply()
    {
        var result = Loader.LoadText("""
            apiVersion: gateway.envoyproxy.io/v1alpha1
            kind: SecurityPolicy
            metadata: {name: sp, namespace: apps}
            spec:
              targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: web}]
              jwt:
                providers:
                - name: p
                  issuer: x
            """);
        Assert.Contains(result.Errors, e => e.ToString().Contains("either remoteJWKS or localJWKS must be specified", StringComparison.Ordinal));
    }
}
