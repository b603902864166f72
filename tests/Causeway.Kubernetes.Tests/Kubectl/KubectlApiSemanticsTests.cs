using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Causeway.Kubernetes.Api;

namespace Causeway.Kubernetes.Tests.Kubectl;

/// <summary>
/// The API semantics kubectl relies on, through kubectl itself: server-side apply field ownership, client-side apply
/// (last-applied annotation, JSON merge patch for custom resources, strategic merge patch for built-ins), and watch.
/// </summary>
public sealed class KubectlApiSemanticsTests
{
    private const string Crds = "--gateway-api-crds";

    private static async Task<(Harness H, KubectlRunner Kubectl)> InstalledAsync()
    {
        var h = await Harness.StartAsync();
        var kubectl = new KubectlRunner(h.Server);
        var bundle = await KubectlSeedWorkflowTests.CausewayInstallAsync(Crds, "standard");
        kubectl.Ok(await kubectl.RunAsync(["apply", "--server-side", "-f", "-"], bundle));
        return (h, kubectl);
    }

    private static string Gateway(string extraListener, string annotation) => $"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: test-gw
          namespace: test
          annotations: {annotation}
        spec:
          gatewayClassName: eg
          listeners:
          - name: http
            protocol: HTTP
            port: 8080
        {extraListener}
        """;

    private const string TcpListener = """
          - name: tcp
            protocol: TCP
            port: 6000
        """;

    [Fact]
    public async Task ServerSideApply_FieldsDroppedByTheSameManagerAreRemoved_OthersKept()
    {
        var (h, kubectl) = await InstalledAsync();
        await using var _ = h;
        using var __ = kubectl;
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: test}\n"));

        var first = kubectl.WriteFile("gw1.yaml", Gateway(TcpListener, "{team: a, owner: me}"));
        Assert.Equal("gateway.gateway.networking.k8s.io/test-gw serverside-applied\n", (await kubectl.OkAsync("apply", "--server-side", "-f", first)).Stdout);
        // Another manager sets a field of its own.
        await kubectl.OkAsync("apply", "--server-side", "--field-manager=other", "-f", kubectl.WriteFile("other.yaml", """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: test-gw, namespace: test, labels: {from: other}}
            """));
        var second = kubectl.WriteFile("gw2.yaml", Gateway("", "{team: a}"));
        await kubectl.OkAsync("apply", "--server-side", "-f", second);

        var gw = JsonNode.Parse((await kubectl.OkAsync("get", "gateway", "test-gw", "-n", "test", "-o", "json", "--show-managed-fields")).Stdout)!;
        Assert.Equal(["http"], gw["spec"]!["listeners"]!.AsArray().Select(l => l!["name"]!.GetValue<string>()));
        Assert.Equal("""{"team":"a"}""", gw["metadata"]!["annotations"]!.ToJsonString());
        Assert.Equal("other", gw["metadata"]!["labels"]!["from"]!.GetValue<string>());
        var managers = gw["metadata"]!["managedFields"]!.AsArray().Select(m => $"{m!["manager"]}/{m["operation"]}").Order().ToList();
        Assert.Equal(["kubectl/Apply", "other/Apply"], managers);
        Assert.Equal(2, gw["metadata"]!["generation"]!.GetValue<int>());
    }

    [Fact]
    public async Task ClientSideApply_RecordsLastAppliedAndPatchesCustomAndBuiltinObjects()
    {
        var (h, kubectl) = await InstalledAsync();
        await using var _ = h;
        using var __ = kubectl;
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: test}\n"));
        const string Service = """
            apiVersion: v1
            kind: Service
            metadata: {name: nginx, namespace: test}
            spec:
              selector: {app: nginx}
              ports:
              - {name: http, port: 80, targetPort: 8080, protocol: TCP}
              - {name: metrics, port: 9090, protocol: TCP}
            """;
        var v1 = kubectl.WriteFile("v1.yaml", Gateway(TcpListener, "{team: a}") + "\n---\n" + Service);
        var created = await kubectl.OkAsync("apply", "-f", v1);
        Assert.True(created.Stdout == "gateway.gateway.networking.k8s.io/test-gw created\nservice/nginx created\n", created.ToString());
        var unchanged = await kubectl.OkAsync("apply", "-f", v1);
        Assert.Equal("gateway.gateway.networking.k8s.io/test-gw unchanged\nservice/nginx unchanged\n", unchanged.Stdout);

        // Drop the TCP listener and the annotation (JSON merge patch), the metrics port, and change the other's targetPort (strategic merge patch).
        var v2 = kubectl.WriteFile("v2.yaml", Gateway("", "{}") + "\n---\n" + Service.Replace("targetPort: 8080", "targetPort: 8081", StringComparison.Ordinal)
            .Replace("\n  - {name: metrics, port: 9090, protocol: TCP}", "", StringComparison.Ordinal));
        var configured = await kubectl.OkAsync("apply", "-f", v2);
        Assert.Equal("gateway.gateway.networking.k8s.io/test-gw configured\nservice/nginx configured\n", configured.Stdout);

        var gw = h.Server.Get(ResourceType.Gateways, "test", "test-gw")!;
        Assert.Equal(["http"], gw["spec"]!["listeners"]!.AsArray().Select(l => l!["name"]!.GetValue<string>()));
        Assert.Null(gw["metadata"]!["annotations"]!["team"]);
        var lastApplied = JsonNode.Parse(gw["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]!.GetValue<string>())!;
        Assert.Single(lastApplied["spec"]!["listeners"]!.AsArray());
        var svc = h.Server.Get(ResourceType.Services, "test", "nginx")!;
        var ports = svc["spec"]!["ports"]!.AsArray();
        Assert.Equal("""[{"name":"http","port":80,"protocol":"TCP","targetPort":8081}]""", NormalizedPorts(ports));
        Assert.Equal("nginx", svc["spec"]!["selector"]!["app"]!.GetValue<string>());
    }

    private static string NormalizedPorts(JsonArray ports) =>
        new JsonArray([.. ports.Select(p => (JsonNode)new JsonObject(p!.AsObject().OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone()))))]).ToJsonString();

    [Fact]
    public async Task GetWatch_PrintsTheEventsOfChangesMadeAfterItStarted()
    {
        var (h, kubectl) = await InstalledAsync();
        await using var _ = h;
        using var __ = kubectl;
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: test}\n"));
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("gw.yaml", Gateway("", "{}")));

        using var names = kubectl.Start("get", "gateways", "-n", "test", "-w", "-o", "name");
        await names.WaitForLineAsync(l => l == "gateway.gateway.networking.k8s.io/test-gw", "the existing Gateway");
        using var table = kubectl.Start("get", "gtw", "-n", "test", "-w");
        await table.WaitForLineAsync(l => Regex.IsMatch(l, @"^NAME\s+CLASS\s+ADDRESS\s+PROGRAMMED\s+AGE$"), "the Table header");

        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("gw2.yaml", Gateway("", "{}").Replace("test-gw", "second-gw", StringComparison.Ordinal)));
        await names.WaitForLineAsync(l => l == "gateway.gateway.networking.k8s.io/second-gw", "the new Gateway's ADDED event");
        await table.WaitForLineAsync(l => Regex.IsMatch(l, @"^second-gw\s+eg\s+\d+s$"), "the new Gateway's row");

        // A status change (what the controller writes) is an event too.
        h.Server.UpdateStatus(ResourceType.Gateways, "test", "second-gw", new JsonObject
        {
            ["addresses"] = new JsonArray(new JsonObject { ["type"] = "IPAddress", ["value"] = "203.0.113.5" }),
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Programmed", ["status"] = "True", ["reason"] = "Programmed", ["message"] = "", ["lastTransitionTime"] = "2025-01-01T00:00:00Z" }),
        });
        await table.WaitForLineAsync(l => Regex.IsMatch(l, @"^second-gw\s+eg\s+203\.0\.113\.5\s+True\s+\d+s$"), "the row with the address");
        Assert.False(names.HasExited);
    }
}
