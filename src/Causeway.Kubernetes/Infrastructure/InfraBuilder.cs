using System.Text.Json.Nodes;
using Causeway.Kubernetes.Api;
using Causeway.Model.Objects;
using Causeway.Translation.Ir;

namespace Causeway.Kubernetes.Infrastructure;

/// <summary>
/// Builds a Gateway's proxy infrastructure (ServiceAccount, Deployment, Service) from the Gateway, its IR (which ports
/// are served) and its ProxyConfig. Pure: the same inputs give the same objects, applied with server-side apply.
/// </summary>
public static class InfraBuilder
{
    public const string ContainerName = "proxy";
    public const string CredentialsVolume = "credentials";
    public const string MetricsPortName = "metrics";

    /// <summary>
    /// The <c>prometheus.io/*</c> annotations Prometheus' kubernetes_sd pod scrape configs (and many agents) follow; a
    /// ProxyConfig's or the Gateway's infrastructure annotations may override them. None when metrics are off.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ScrapeAnnotations(int metricsPort) => metricsPort <= 0
        ? new Dictionary<string, string>()
        : new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["prometheus.io/scrape"] = "true",
            ["prometheus.io/port"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["prometheus.io/path"] = "/metrics",
        };

    public static IReadOnlyList<InfraObject> Build(Gateway gateway, GatewayIr ir, ProxyConfig? config, ControllerOptions options)
    {
        var ns = InfraNames.Namespace(gateway.Namespace, options.InfrastructureNamespace);
        var name = InfraNames.ResourceName(gateway.Namespace, gateway.Name, options.InfrastructureNamespace);
        return
        [
            new(ResourceType.ServiceAccounts, ns, name, ServiceAccount(gateway, ns, name)),
            new(ResourceType.Deployments, ns, name, Deployment(gateway, ir, config, options, ns, name)),
            new(ResourceType.Services, ns, name, Service(gateway, ir, config, ns, name)),
        ];
    }

    public static JsonObject ServiceAccount(Gateway gateway, string ns, string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ServiceAccount",
        ["metadata"] = Metadata(gateway, ns, name, null, null),
    };

    /// <summary>The proxy's Redis for global rate limits: the URL in its environment (from the Secret when one is named), timeout and failure mode as flags.</summary>
    private static void AddRateLimit(JsonObject container, ProxyRateLimit limits)
    {
        var env = new JsonObject { ["name"] = "CAUSEWAY_RATE_LIMIT_REDIS" };
        if (limits.SecretName is { } secret)
            env["valueFrom"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = secret, ["key"] = limits.SecretKey ?? "url" } };
        else env["value"] = limits.RedisUrl;
        container["env"] = new JsonArray(env);
        var args = (JsonArray)container["args"]!;
        args.Add("--rate-limit-redis-timeout");
        args.Add(limits.Timeout);
        if (limits.FailClosed) args.Add("--rate-limit-fail-closed");
    }

    public static JsonObject Deployment(Gateway gateway, GatewayIr ir, ProxyConfig? config, ControllerOptions options, string ns, string name)
    {
        var spec = config?.Spec;
        var podLabels = Merge(CommonLabels(gateway, name), spec?.Pod?.Labels, gateway.Spec.Infrastructure?.Labels);
        var podAnnotations = Merge(null, ScrapeAnnotations(options.ProxyMetricsPort), spec?.Pod?.Annotations, gateway.Spec.Infrastructure?.Annotations);
        var ports = new JsonArray();
        foreach (var (port, proto) in Ports(ir))
            ports.Add(new JsonObject { ["name"] = PortName(port, proto), ["containerPort"] = port, ["protocol"] = proto });
        ports.Add(new JsonObject { ["name"] = "health", ["containerPort"] = options.ProxyHealthPort, ["protocol"] = "TCP" });
        if (options.ProxyMetricsPort > 0)
            ports.Add(new JsonObject { ["name"] = MetricsPortName, ["containerPort"] = options.ProxyMetricsPort, ["protocol"] = "TCP" });
        var container = new JsonObject
        {
            ["name"] = ContainerName,
            ["image"] = options.ProxyImage,
            ["args"] = new JsonArray("proxy", "--gateway", $"{gateway.Namespace}/{gateway.Name}", "--controller", options.ControllerAddress,
                "--credentials", ControllerOptions.ProxyCredentialsPath, "--health-address", $"0.0.0.0:{options.ProxyHealthPort}",
                "--metrics-address", options.ProxyMetricsPort > 0 ? $"0.0.0.0:{options.ProxyMetricsPort}" : "off"),
            ["volumeMounts"] = new JsonArray(new JsonObject { ["name"] = CredentialsVolume, ["mountPath"] = ControllerOptions.ProxyCredentialsPath, ["readOnly"] = true }),
            ["ports"] = ports,
            ["readinessProbe"] = Probe("/readyz", options.ProxyHealthPort, 5, 3),
            ["livenessProbe"] = Probe("/healthz", options.ProxyHealthPort, 10, 3),
            // Keep serving while endpoints are withdrawn from the load balancer, then stop.
            ["lifecycle"] = new JsonObject { ["preStop"] = new JsonObject { ["sleep"] = new JsonObject { ["seconds"] = (long)options.ProxyDrainTime.TotalSeconds } } },
            ["securityContext"] = new JsonObject
            {
                ["runAsNonRoot"] = true,
                ["allowPrivilegeEscalation"] = false,
                ["readOnlyRootFilesystem"] = true,
                ["capabilities"] = new JsonObject { ["drop"] = new JsonArray("ALL"), ["add"] = new JsonArray("NET_BIND_SERVICE") },
            },
        };
        if (options.ProxyRateLimit is { Configured: true } limits) AddRateLimit(container, limits);
        if (spec?.Resources is { } r && (r.Requests.Count > 0 || r.Limits.Count > 0))
        {
            var res = new JsonObject();
            if (r.Requests.Count > 0) res["requests"] = Map(r.Requests);
            if (r.Limits.Count > 0) res["limits"] = Map(r.Limits);
            container["resources"] = res;
        }
        var podMeta = new JsonObject { ["labels"] = Map(podLabels) };
        if (podAnnotations.Count > 0) podMeta["annotations"] = Map(podAnnotations);
        var deploymentSpec = new JsonObject
        {
            ["selector"] = new JsonObject { ["matchLabels"] = Map(SelectorLabels(name)) },
            ["template"] = new JsonObject
            {
                ["metadata"] = podMeta,
                ["spec"] = new JsonObject
                {
                    ["serviceAccountName"] = name,
                    ["terminationGracePeriodSeconds"] = (long)options.ProxyDrainTime.TotalSeconds + 15,
                    ["containers"] = new JsonArray(container),
                    ["volumes"] = new JsonArray(new JsonObject
                    {
                        ["name"] = CredentialsVolume,
                        ["secret"] = new JsonObject
                        {
                            ["secretName"] = InfraNames.CredentialsSecretName(gateway.Namespace, gateway.Name, options.InfrastructureNamespace),
                            ["defaultMode"] = 0x100, // 0400
                        },
                    }),
                },
            },
        };
        if (spec?.Replicas is { } replicas) deploymentSpec["replicas"] = replicas;
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = Metadata(gateway, ns, name, null, null),
            ["spec"] = deploymentSpec,
        };
    }

    /// <summary>The Secret with the proxies' client certificate, key and the distribution CA (owner-referenced to the Gateway).</summary>
    public static JsonObject CredentialsSecret(Gateway gateway, string ns, string name, IReadOnlyDictionary<string, byte[]> data)
    {
        var d = new JsonObject();
        foreach (var (k, v) in data.OrderBy(p => p.Key, StringComparer.Ordinal)) d[k] = Convert.ToBase64String(v);
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = Metadata(gateway, ns, name, null, null),
            ["type"] = "kubernetes.io/tls",
            ["data"] = d,
        };
    }

    public static JsonObject Service(Gateway gateway, GatewayIr ir, ProxyConfig? config, string ns, string name)
    {
        var svc = config?.Spec.Service;
        var type = svc?.Type ?? "LoadBalancer";
        var ports = new JsonArray();
        foreach (var (port, proto) in Ports(ir))
            ports.Add(new JsonObject { ["name"] = PortName(port, proto), ["protocol"] = proto, ["port"] = port, ["targetPort"] = port });
        var spec = new JsonObject
        {
            ["type"] = type,
            ["selector"] = Map(SelectorLabels(name)),
            ["ports"] = ports,
        };
        if (svc?.LoadBalancerClass is { } lbc && type == "LoadBalancer") spec["loadBalancerClass"] = lbc;
        if (svc?.ExternalTrafficPolicy is { } etp && type is "LoadBalancer" or "NodePort") spec["externalTrafficPolicy"] = etp;
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = Metadata(gateway, ns, name, svc?.Labels, svc?.Annotations),
            ["spec"] = spec,
        };
    }

    /// <summary>One (port, TCP|UDP) per bound port of the IR: TCP and UDP may share a number.</summary>
    public static IReadOnlyList<(int Port, string Protocol)> Ports(GatewayIr ir) =>
        [.. ir.Ports.Select(p => (p.Port, p.Protocol == PortProtocol.Udp ? "UDP" : "TCP")).Distinct().OrderBy(p => p.Port).ThenBy(p => p.Item2, StringComparer.Ordinal)];

    public static string PortName(int port, string protocol) => $"{protocol.ToLowerInvariant()}-{port}";

    public static IReadOnlyDictionary<string, string> SelectorLabels(string name) =>
        new SortedDictionary<string, string>(StringComparer.Ordinal) { [InfraNames.ProxyLabel] = name };

    private static SortedDictionary<string, string> CommonLabels(Gateway gateway, string name) => new(StringComparer.Ordinal)
    {
        ["app.kubernetes.io/name"] = "causeway-proxy",
        ["app.kubernetes.io/component"] = "proxy",
        [InfraNames.ManagedByLabel] = InfraNames.ManagedBy,
        [InfraNames.GatewayNameLabel] = InfraNames.LabelValue(gateway.Name),
        [InfraNames.GatewayNamespaceLabel] = InfraNames.LabelValue(gateway.Namespace),
        [InfraNames.ProxyLabel] = name,
    };

    private static JsonObject Metadata(Gateway gateway, string ns, string name, IReadOnlyDictionary<string, string>? labels, IReadOnlyDictionary<string, string>? annotations)
    {
        var infra = gateway.Spec.Infrastructure;
        var meta = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["labels"] = Map(Merge(CommonLabels(gateway, name), labels, infra?.Labels)),
        };
        var ann = Merge(null, annotations, infra?.Annotations);
        if (ann.Count > 0) meta["annotations"] = Map(ann);
        // Owner references cannot cross namespaces: in a shared infrastructure namespace the controller deletes instead.
        if (ns == gateway.Namespace && gateway.Metadata.Uid is { Length: > 0 } uid)
            meta["ownerReferences"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = gateway.ApiVersion.Length > 0 ? gateway.ApiVersion : "gateway.networking.k8s.io/v1",
                ["kind"] = "Gateway",
                ["name"] = gateway.Name,
                ["uid"] = uid,
                ["controller"] = true,
                ["blockOwnerDeletion"] = true,
            });
        return meta;
    }

    /// <summary>Later maps win, except that the common labels (selectors, ownership) always keep their values.</summary>
    private static SortedDictionary<string, string> Merge(SortedDictionary<string, string>? common, params IReadOnlyDictionary<string, string>?[] maps)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var m in maps)
            if (m is not null)
                foreach (var (k, v) in m) result[k] = v;
        if (common is not null)
            foreach (var (k, v) in common) result[k] = v;
        return result;
    }

    private static JsonObject Map(IEnumerable<KeyValuePair<string, string>> map)
    {
        var o = new JsonObject();
        foreach (var (k, v) in map) o[k] = v;
        return o;
    }

    private static JsonObject Probe(string path, int port, int period, int failures) => new()
    {
        ["httpGet"] = new JsonObject { ["path"] = path, ["port"] = port },
        ["periodSeconds"] = period,
        ["failureThreshold"] = failures,
        ["timeoutSeconds"] = 2,
    };
}
