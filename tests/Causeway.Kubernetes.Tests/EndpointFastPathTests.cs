namespace Causeway.Kubernetes.Tests;

/// <summary>EndpointSlice-only changes reach the IR without a retranslation; any other change still retranslates.</summary>
public class EndpointFastPathTests
{
    private const string Slice = """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: nginx-1
          namespace: test
          labels:
            kubernetes.io/service-name: nginx
        addressType: IPv4
        ports:
        - name: http
          port: 8080
        endpoints:
        - addresses: ["127.0.0.1"]
          conditions: {ready: true}
        - addresses: ["127.0.0.9"]
          conditions: {ready: true}
        """;

    [Fact]
    public async Task EndpointSliceChange_RefreshesBackends_WithoutRetranslating()
    {
        await using var h = await Harness.StartAsync();
        h.ApplyTestdata("seed-l4-l7-one-gateway.in.yaml");
        var c = await h.StartControllerAsync();
        string[] Endpoints() =>
            c.LastResult?.Gateways.SelectMany(g => g.Backends).Where(b => b.Id == "test/nginx:80")
                .SelectMany(b => b.Endpoints).Select(e => $"{e.Address}:{e.Port}").Order().ToArray() ?? [];
        await Harness.WaitAsync(() => Endpoints().SequenceEqual(["127.0.0.1:8080"]), "the seed's one ready nginx endpoint");
        // Let start-up reconciles settle (a late one would take the new slice in a full reconcile): wait until no
        // reconcile happened for half a second, however loaded the machine is.
        int reconciles;
        do
        {
            reconciles = c.Reconciles;
            await Task.Delay(500);
        }
        while (c.Reconciles != reconciles);
        var refreshes = c.EndpointRefreshes;

        h.Server.ApplyManifest(Slice);
        await Harness.WaitAsync(() => Endpoints().SequenceEqual(["127.0.0.1:8080", "127.0.0.9:8080"]), "the new endpoint in the IR");
        Assert.True(c.EndpointRefreshes > refreshes, "the change took the fast path");
        Assert.Equal(reconciles, c.Reconciles);

        // A route change is not endpoint-only: it retranslates.
        h.Server.ApplyManifest("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: extra, namespace: test}
            spec:
              parentRefs: [{name: test-gw, sectionName: http}]
              hostnames: [extra.example.com]
              rules: [{backendRefs: [{name: nginx, port: 80}]}]
            """);
        await Harness.WaitAsync(() => c.Reconciles > reconciles, "a full reconcile for the route change");
    }
}
