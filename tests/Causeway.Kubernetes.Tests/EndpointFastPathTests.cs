namespace Causeway.Kubernetes.Tests;

/// <summary>EndpointSlice-only changes reach the IR without a retranslation; any other change still retranslates.</summary>
public class EndpointFastPathTests
{
    /// <summary>The seed's nginx slice with a second ready endpoint, 127.0.0.<paramref name="last"/>.</summary>
    private static string Slice(int last) => """
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
        - addresses: ["127.0.0.LAST"]
          conditions: {ready: true}
        """.Replace("LAST", last.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

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
        // An endpoint-only change takes the fast path. A full reconcile of the controller's own (a late start-up one, a
        // status write coming back) may take the change first on a loaded machine: then the next change is tried, and
        // one of three must go the fast way with no reconcile in between.
        var reconciles = 0;
        var fast = false;
        for (var attempt = 0; attempt < 3 && !fast; attempt++)
        {
            reconciles = await SettledReconcilesAsync(c);
            var refreshes = c.EndpointRefreshes;
            var address = $"127.0.0.{9 + attempt}:8080";
            h.Server.ApplyManifest(Slice(9 + attempt));
            await Harness.WaitAsync(() => Endpoints().SequenceEqual(["127.0.0.1:8080", address]), $"the new endpoint {address} in the IR");
            fast = c.EndpointRefreshes > refreshes && c.Reconciles == reconciles;
        }
        Assert.True(fast, $"an endpoint-only change took the fast path without a reconcile ({c.Reconciles} reconciles, {c.EndpointRefreshes} refreshes)");

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

    /// <summary>Waits until no reconcile happened for half a second, however loaded the machine is; returns the count.</summary>
    private static async Task<int> SettledReconcilesAsync(Controller c)
    {
        int reconciles;
        do
        {
            reconciles = c.Reconciles;
            await Task.Delay(500);
        }
        while (c.Reconciles != reconciles);
        return reconciles;
    }
}
