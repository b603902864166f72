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
    public void ProxyDeployment_ExposesMetricsPortAndScrapeAnnotations_WhichConfigMayOverride_AndOffRemovesThem()
    {
        var gateway = LoadGateway();
        var dep = InfraBuilder.Deployment(gateway, Ir(), null, new ControllerOptions(), "apps", "causeway-web");
        var pod = dep["spec"]!["template"]!;
        var container = pod["spec"]!["containers"]![0]!;
        var ports = ((JsonArray)container["ports"]!).Select(p => $"{p!["name"]}={p["containerPort"]}/{p["protocol"]}").ToList();
        Assert.Equal(["tcp-53=53/TCP", "udp-53=53/UDP", "health=19003/TCP", "metrics=19001/TCP"], ports);
        var args = ((JsonArray)container["args"]!).Select(a => a!.GetValue<string>()).ToList();
        Assert.Equal(["--health-address", "0.0.0.0:19003", "--metrics-address", "0.0.0.0:19001"], args[^4..]);
        Assert.Equal(19003, container["readinessProbe"]!["httpGet"]!["port"]!.GetValue<int>());
        var annotations = pod["metadata"]!["annotations"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
        Assert.Equal("true", annotations["prometheus.io/scrape"]);
        Assert.Equal("19001", annotations["prometheus.io/port"]);
        Assert.Equal("/metrics", annotations["prometheus.io/path"]);
        Assert.Equal("42", annotations["cost-center"]); // the Gateway's infrastructure annotations are kept alongside

        // A ProxyConfig may turn scraping off for its pods (e.g. when a PodMonitor scrapes them instead).
        var config = new ProxyConfig { Spec = new ProxyConfigSpec { Pod = new ProxyPodSpec { Annotations = new Dictionary<string, string> { ["prometheus.io/scrape"] = "false" } } } };
        var overridden = InfraBuilder.Deployment(gateway, Ir(), config, new ControllerOptions(), "apps", "causeway-web");
        Assert.Equal("false", overridden["spec"]!["template"]!["metadata"]!["annotations"]!["prometheus.io/scrape"]!.GetValue<string>());

        var off = InfraBuilder.Deployment(gateway, Ir(), null, new ControllerOptions { ProxyMetricsPort = 0 }, "apps", "causeway-web");
        var offPod = off["spec"]!["template"]!;
        var offContainer = offPod["spec"]!["containers"]![0]!;
        Assert.DoesNotContain((JsonArray)offContainer["ports"]!, p => p!["name"]!.GetValue<string>() == "metrics");
        Assert.Equal(["--metrics-address", "off"], ((JsonArray)offContainer["args"]!).Select(a => a!.GetValue<string>()).ToList()[^2..]);
        Assert.DoesNotContain(offPod["metadata"]!["annotations"]!.AsObject(), p => p.Key.StartsWith("prometheus.io/", StringComparison.Ordinal));
    }

    [Fact]
    public void ResourceName_IsAtMost63Characters()
    {
        var name = InfraNames.ResourceName("ns", new string('a', 100), null);
        Assert.True(name.Length <= 63);
        Assert.NotEqual(name, InfraNames.ResourceName("ns", new string('a', 99), null));
    }

    [Fact]
    public void ProxyDeployment_GetsTheRedisForGlobalRateLimits_FromASecretOrAsAPlainUrl()
    {
        var gateway = LoadGateway();
        var none = InfraBuilder.Deployment(gateway, Ir(), null, new ControllerOptions(), "apps", "causeway-web");
        Assert.Null(none["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]);

        var fromSecret = new ControllerOptions { ProxyRateLimit = new ProxyRateLimit { SecretName = "redis-url", SecretKey = "url", Timeout = "250ms", FailClosed = true } };
        var container = InfraBuilder.Deployment(gateway, Ir(), null, fromSecret, "apps", "causeway-web")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var env = Assert.Single((JsonArray)container["env"]!)!;
        Assert.Equal("CAUSEWAY_RATE_LIMIT_REDIS", env["name"]!.GetValue<string>());
        Assert.Null(env["value"]);
        Assert.Equal("redis-url", env["valueFrom"]!["secretKeyRef"]!["name"]!.GetValue<string>());
        Assert.Equal("url", env["valueFrom"]!["secretKeyRef"]!["key"]!.GetValue<string>());
        var args = ((JsonArray)container["args"]!).Select(a => a!.GetValue<string>()).ToList();
        Assert.Equal(["--rate-limit-redis-timeout", "250ms", "--rate-limit-fail-closed"], args[^3..]);

        var plain = new ControllerOptions { ProxyRateLimit = new ProxyRateLimit { RedisUrl = "redis://redis.redis-system:6379" } };
        container = InfraBuilder.Deployment(gateway, Ir(), null, plain, "apps", "causeway-web")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("redis://redis.redis-system:6379", container["env"]![0]!["value"]!.GetValue<string>());
        args = [.. ((JsonArray)container["args"]!).Select(a => a!.GetValue<string>())];
        Assert.Equal(["--rate-limit-redis-timeout", "100ms"], args[^2..]);
    }
}
