using Causeway.Model.Loading;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Schema;
using Causeway.Model.Snapshot;

namespace Causeway.Model.Tests.EnvoyGateway;

public class BackendTrafficPolicyLoadingTests
{
    private static readonly ManifestLoader Loader = new(CrdObjectValidator.Default);

    [Fact]
    public void EnvoyGatewayCrdIsServedWithItsLicence()
    {
        Assert.True(CrdSchemaSet.Experimental.IsServed("gateway.envoyproxy.io", "v1alpha1", "BackendTrafficPolicy"));
        Assert.True(CrdSchemaSet.Standard.IsServed("gateway.envoyproxy.io", "v1alpha1", "BackendTrafficPolicy"));
        var licences = CrdSchemaSet.GetEnvoyGatewayLicenseDocuments();
        Assert.Contains(licences, l => l.FileName == "LICENSE" && l.Text.Contains("Apache License", StringComparison.Ordinal));
        Assert.Contains(licences, l => l.FileName == "NOTICE" && l.Text.Contains("envoyproxy/gateway", StringComparison.Ordinal));
        Assert.DoesNotContain(CrdSchemaSet.GetCrdDocuments(CrdSchemaSet.StandardChannel), d => d.FileName.Contains("envoyproxy", StringComparison.Ordinal));
    }

    [Fact]
    public void LoadsAsWrittenIntoTheSnapshot()
    {
        var result = Loader.LoadText("""
            apiVersion: gateway.envoyproxy.io/v1alpha1
            kind: BackendTrafficPolicy
            metadata: {name: rl, namespace: apps}
            spec:
              targetRefs:
              - {group: gateway.networking.k8s.io, kind: HTTPRoute, name: web, sectionName: api}
              rateLimit:
                type: Local
                local:
                  rules:
                  - clientSelectors:
                    - headers: [{name: x-user-id, type: Distinct}]
                      sourceCIDR: {type: Exact, value: 10.0.0.0/8}
                      methods: [{value: GET, invert: true}]
                    limit: {requests: 3, unit: Hour}
              circuitBreaker: {maxParallelRequests: 7, maxRequestsPerConnection: 5, retryBudget: {percent: {numerator: 20}, minRetryConcurrency: 4}}
              faultInjection: {abort: {httpStatus: 503, percentage: 50}}
              loadBalancer: {type: Random}
              healthCheck: {passive: {consecutive5XxErrors: 3}, active: {type: HTTP, http: {path: /healthz}}}
            """);
        Assert.Empty(result.Errors);
        var snapshot = ResourceSnapshot.Create(result.Objects);
        var btp = Assert.Single(snapshot.BackendTrafficPolicies);
        Assert.Equal("apps", btp.Namespace);
        Assert.Equal("api", Assert.Single(btp.TargetRefs).SectionName);
        var rule = Assert.Single(btp.Spec.RateLimit!.Local!.Rules);
        Assert.Equal(3, rule.Limit.Requests);
        Assert.Equal("Hour", rule.Limit.Unit);
        var selector = Assert.Single(rule.ClientSelectors);
        Assert.Equal("Distinct", Assert.Single(selector.Headers).Type);
        Assert.Equal("10.0.0.0/8", selector.SourceCidr!.Value);
        Assert.True(Assert.Single(selector.Methods).Invert);
        Assert.Equal(7, btp.Spec.CircuitBreaker!.MaxParallelRequests);
        Assert.Equal(1024, btp.Spec.CircuitBreaker.MaxConnections); // the CRD's default
        Assert.Equal(5, btp.Spec.CircuitBreaker.MaxRequestsPerConnection);
        Assert.Equal(20, btp.Spec.CircuitBreaker.RetryBudget!.Percent!.Numerator);
        Assert.Equal(100, btp.Spec.CircuitBreaker.RetryBudget.Percent.Denominator); // the CRD's default
        Assert.Equal(4, btp.Spec.CircuitBreaker.RetryBudget.MinRetryConcurrency);
        Assert.Null(btp.Spec.CircuitBreaker.Unmodelled);
        Assert.Equal(50, btp.Spec.FaultInjection!.Abort!.Percentage);
        Assert.Equal("Random", btp.Spec.LoadBalancer!.Type);
        Assert.Equal(3, btp.Spec.HealthCheck!.Passive!.Consecutive5XxErrors);
        Assert.Equal("30s", btp.Spec.HealthCheck.Passive.BaseEjectionTime); // the CRD's default
        Assert.Equal("/healthz", btp.Spec.HealthCheck.Active!.Http!.Path);
        Assert.Equal("3s", btp.Spec.HealthCheck.Active.Interval); // the CRD's default
        Assert.True(btp.Spec.Unmodelled is null || !btp.Spec.Unmodelled.ContainsKey("loadBalancer"));
    }

    [Fact]
    public void ConnectionLevelFieldsAreModelled()
    {
        var result = Loader.LoadText("""
            apiVersion: gateway.envoyproxy.io/v1alpha1
            kind: BackendTrafficPolicy
            metadata: {name: tcp, namespace: apps}
            spec:
              targetRefs:
              - {group: gateway.networking.k8s.io, kind: TCPRoute, name: db}
              proxyProtocol: {version: V2}
              tcpKeepalive: {probes: 3, idleTime: 60s, interval: 10s}
              connection: {bufferLimit: 16Ki}
              dns: {dnsRefreshRate: 5s, respectDnsTtl: false}
              timeout: {tcp: {connectTimeout: 2s}}
            """);
        Assert.Empty(result.Errors);
        var btp = Assert.Single(ResourceSnapshot.Create(result.Objects).BackendTrafficPolicies);
        Assert.Equal("V2", btp.Spec.ProxyProtocol!.Version);
        Assert.Equal(3, btp.Spec.TcpKeepalive!.Probes);
        Assert.Equal("60s", btp.Spec.TcpKeepalive.IdleTime);
        Assert.Equal("16Ki", btp.Spec.Connection!.BufferLimit!.Value.GetString());
        Assert.Equal("5s", btp.Spec.Dns!.DnsRefreshRate);
        Assert.False(btp.Spec.Dns.RespectDnsTtl);
        Assert.Equal("2s", btp.Spec.Timeout!.Tcp!.ConnectTimeout);
        Assert.Null(btp.Spec.Unmodelled);
    }

    [Fact]
    public void CelRulesOfTheCrdApply()
    {
        var result = Loader.LoadText("""
            apiVersion: gateway.envoyproxy.io/v1alpha1
            kind: BackendTrafficPolicy
            metadata: {name: bad, namespace: apps}
            spec:
              targetRefs:
              - {group: gateway.networking.k8s.io, kind: Service, name: web}
              faultInjection: {abort: {httpStatus: 503, grpcStatus: 14}}
            """);
        var messages = string.Join("\n", result.Errors.Select(e => e.ToString()));
        Assert.Contains("targetRefs[*].kind of Gateway/ListenerSet/HTTPRoute", messages, StringComparison.Ordinal);
        Assert.Contains("BackendTrafficPolicy apps/bad", messages, StringComparison.Ordinal);
        Assert.Empty(result.Objects);
    }

    [Fact]
    public void SchemaRejectsAnOutOfRangeStatus()
    {
        var result = Loader.LoadText("""
            apiVersion: gateway.envoyproxy.io/v1alpha1
            kind: BackendTrafficPolicy
            metadata: {name: bad, namespace: apps}
            spec:
              targetRefs: [{group: gateway.networking.k8s.io, kind: HTTPRoute, name: web}]
              faultInjection: {abort: {httpStatus: 700}}
            """);
        var error = Assert.Single(result.Errors);
        Assert.Equal("spec.faultInjection.abort.httpStatus", error.Field);
    }
}
