using System.Text.Json.Nodes;
using Causeway.Kubernetes.Infrastructure;
using Causeway.Model.Loading;
using Causeway.Model.Objects;
using Causeway.Translation.Ir;

namespace Causeway.Kubernetes.Tests;

public sealed class InfraBuilderTests
{
    private static Gateway LoadGateway() => (Gateway)new ManifestLoader().LoadText("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: web, namespace: apps, uid: "1234"}
        spec:
          gatewayClassName: eg
          infrastructure:
            labels: {team: blue}
            annotations: {cost-center: "42"}
          listeners:
          - {name: dns-tcp, protocol: TCP, port: 53}
          - {name: dns-udp, protocol: UDP, port: 53}
        """).Objects.Single();

    private static GatewayIr Ir() => new()
    {
        Name = "apps/web",
        Ports = new([new PortIr { Port = 53, Protocol = PortProtocol.Udp }, new PortIr { Port = 53, Protocol = PortProtocol.Tcp }]),
    };

    private static ProxyConfig Config() => new()
    {
        Spec = new ProxyConfigSpec
        {
            Replicas = 3,
            Service = new ProxyServiceSpec { Type = "LoadBalancer", LoadBalancerClass = "example.com/lb", ExternalTrafficPolicy = "Local", Annotations = new Dictionary<string, string> { ["a"] = "b" } },
        },
    };

    [Fact]
    public void Service_TcpAndUdpOnOnePort_TypeClassPolicyAnnotationsAndInfrastructureLabels()
    {
        var svc = InfraBuilder.Service(LoadGateway(), Ir(), Config(), "apps", "causeway-web");
        Assert.Equal(["tcp-53:TCP/53", "udp-53:UDP/53"], ((JsonArray)svc["spec"]!["ports"]!).Select(p => $"{p!["name"]}:{p["protocol"]}/{p["port"]}"));
        Assert.Equal("example.com/lb", svc["spec"]!["loadBalancerClass"]!.GetValue<string>());
        Assert.Equal("Local", svc["spec"]!["externalTrafficPolicy"]!.GetValue<string>());
        Assert.Equal("b", svc["metadata"]!["annotations"]!["a"]!.GetValue<string>());
        Assert.Equal("42", svc["metadata"]!["annotations"]!["cost-center"]!.GetValue<string>());
        Assert.Equal("blue", svc["metadata"]!["labels"]!["team"]!.GetValue<string>());
        Assert.Equal("1234", svc["metadata"]!["ownerReferences"]![0]!["uid"]!.GetValue<string>());
    }

    [Fact]
    public void Defaults_LoadBalancerWithoutConfig_AndNoOwnerReferenceAcrossNamespaces()
    {
        var options = new ControllerOptions { InfrastructureNamespace = "causeway-system" };
        var objs = InfraBuilder.Build(LoadGateway(), Ir(), null, options);
        Assert.All(objs, o => Assert.Equal("causeway-system", o.Namespace));
        Assert.All(objs, o => Assert.Equal("causeway-apps-web", o.Name));
        Assert.All(objs, o => Assert.Null(o.Body["metadata"]!["ownerReferences"]));
        var svc = objs.Single(o => o.Type.Kind == "Service").Body;
        Assert.Equal("LoadBalancer", svc["spec"]!["type"]!.GetValue<string>());
        var dep = objs.Single(o => o.Type.Kind == "Deployment").Body;
        Assert.Null(dep["spec"]!["replicas"]);
        var container = dep["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("/readyz", container["readinessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal("/healthz", container["livenessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal(15, container["lifecycle"]!["preStop"]!["sleep"]!["seconds"]!.GetValue<long>());
        Assert.Equal("blue", dep["spec"]!["template"]!["metadata"]!["labels"]!["team"]!.GetValue<string>());
    }

    [Fact]
    public void ResourceName_IsAtMost63Characters()
    {
        var name = InfraNames.ResourceName("ns", new string('a', 100), null);
        Assert.True(name.Length <= 63);
        Assert.NotEqual(name, InfraNames.ResourceName("ns", new string('a', 99), null));
    }
}
