using Causeway.Distribution.Server;

namespace Causeway.Distribution.Install;

/// <summary>The controller's cluster objects, with <see cref="InstallBundle"/> placeholders for namespace, name and image.</summary>
internal static class ControllerManifests
{
    private const string Ns = InstallBundle.NamespaceToken;
    private const string Name = InstallBundle.NameToken;

    private static Dictionary<string, object?> Labels() => new()
    {
        ["app.kubernetes.io/name"] = "causeway",
        ["app.kubernetes.io/instance"] = Name,
        ["app.kubernetes.io/component"] = "controller",
    };

    private static Dictionary<string, object?> Meta(bool namespaced, string? name = null)
    {
        var meta = new Dictionary<string, object?> { ["name"] = name ?? Name };
        if (namespaced) meta["namespace"] = Ns;
        meta["labels"] = Labels();
        return meta;
    }

    private static Dictionary<string, object?> Doc(string apiVersion, string kind, Dictionary<string, object?> meta) => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["metadata"] = meta,
    };

    public static Dictionary<string, object?> Namespace() => Doc("v1", "Namespace", new()
    {
        ["name"] = Ns,
        ["labels"] = new Dictionary<string, object?> { ["app.kubernetes.io/name"] = "causeway" },
    });

    public static Dictionary<string, object?> ServiceAccount() => Doc("v1", "ServiceAccount", Meta(namespaced: true));

    public static Dictionary<string, object?> ClusterRole()
    {
        var doc = Doc("rbac.authorization.k8s.io/v1", "ClusterRole", Meta(namespaced: false, Name + "-controller"));
        doc["rules"] = ControllerRbac.ClusterRules.Select(r => (object?)r.ToYamlMap()).ToList();
        return doc;
    }

    public static Dictionary<string, object?> ClusterRoleBinding()
    {
        var doc = Doc("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", Meta(namespaced: false, Name + "-controller"));
        doc["roleRef"] = RoleRef("ClusterRole");
        doc["subjects"] = Subjects();
        return doc;
    }

    public static Dictionary<string, object?> Role()
    {
        var doc = Doc("rbac.authorization.k8s.io/v1", "Role", Meta(namespaced: true, Name + "-leader-election"));
        doc["rules"] = ControllerRbac.NamespaceRules.Select(r => (object?)r.ToYamlMap()).ToList();
        return doc;
    }

    public static Dictionary<string, object?> RoleBinding()
    {
        var doc = Doc("rbac.authorization.k8s.io/v1", "RoleBinding", Meta(namespaced: true, Name + "-leader-election"));
        doc["roleRef"] = new Dictionary<string, object?>
        {
            ["apiGroup"] = "rbac.authorization.k8s.io",
            ["kind"] = "Role",
            ["name"] = Name + "-leader-election",
        };
        doc["subjects"] = Subjects();
        return doc;
    }

    private static Dictionary<string, object?> RoleRef(string kind) => new()
    {
        ["apiGroup"] = "rbac.authorization.k8s.io",
        ["kind"] = kind,
        ["name"] = Name + "-controller",
    };

    private static List<object?> Subjects() =>
    [
        new Dictionary<string, object?> { ["kind"] = "ServiceAccount", ["name"] = Name, ["namespace"] = Ns },
    ];

    private static Dictionary<string, object?> Selector() => new()
    {
        ["app.kubernetes.io/name"] = "causeway",
        ["app.kubernetes.io/instance"] = Name,
        ["app.kubernetes.io/component"] = "controller",
    };

    public static Dictionary<string, object?> Deployment()
    {
        var doc = Doc("apps/v1", "Deployment", Meta(namespaced: true));
        doc["spec"] = new Dictionary<string, object?>
        {
            ["replicas"] = InstallBundle.ReplicasToken,
            ["selector"] = new Dictionary<string, object?> { ["matchLabels"] = Selector() },
            ["strategy"] = new Dictionary<string, object?>
            {
                ["type"] = "RollingUpdate",
                ["rollingUpdate"] = new Dictionary<string, object?> { ["maxUnavailable"] = 1, ["maxSurge"] = 1 },
            },
            ["template"] = new Dictionary<string, object?>
            {
                ["metadata"] = new Dictionary<string, object?>
                {
                    ["labels"] = Labels(),
                    // Prometheus' kubernetes_sd pod scrape configs (and many agents) follow these.
                    ["annotations"] = new Dictionary<string, object?>
                    {
                        ["prometheus.io/scrape"] = "true",
                        ["prometheus.io/port"] = InstallBundle.MetricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["prometheus.io/path"] = "/metrics",
                    },
                },
                ["spec"] = PodSpec(),
            },
        };
        return doc;
    }

    private static Dictionary<string, object?> PodSpec() => new()
    {
        ["serviceAccountName"] = Name,
        ["securityContext"] = new Dictionary<string, object?>
        {
            ["runAsNonRoot"] = true,
            ["runAsUser"] = 65532,
            ["runAsGroup"] = 65532,
            ["fsGroup"] = 65532,
            ["seccompProfile"] = new Dictionary<string, object?> { ["type"] = "RuntimeDefault" },
        },
        ["terminationGracePeriodSeconds"] = 30,
        ["affinity"] = new Dictionary<string, object?>
        {
            ["podAntiAffinity"] = new Dictionary<string, object?>
            {
                ["preferredDuringSchedulingIgnoredDuringExecution"] = new List<object?>
                {
                    new Dictionary<string, object?>
                    {
                        ["weight"] = 100,
                        ["podAffinityTerm"] = new Dictionary<string, object?>
                        {
                            ["topologyKey"] = "kubernetes.io/hostname",
                            ["labelSelector"] = new Dictionary<string, object?> { ["matchLabels"] = Selector() },
                        },
                    },
                },
            },
        },
        ["containers"] = new List<object?> { Container() },
        ["volumes"] = new List<object?>
        {
            new Dictionary<string, object?> { ["name"] = "tmp", ["emptyDir"] = new Dictionary<string, object?> { ["sizeLimit"] = "64Mi" } },
        },
    };

    private static Dictionary<string, object?> Container() => new()
    {
        ["name"] = "controller",
        ["image"] = InstallBundle.ImageToken,
        ["imagePullPolicy"] = InstallBundle.PullPolicyToken,
        ["args"] = new List<object?> { "controller" },
        ["env"] = new List<object?>
        {
            FieldEnv("POD_NAME", "metadata.name"),
            FieldEnv("POD_NAMESPACE", "metadata.namespace"),
            new Dictionary<string, object?> { ["name"] = "DOTNET_gcServer", ["value"] = "0" },
        },
        ["ports"] = new List<object?>
        {
            Port("grpc-dist", DistributionServerOptions.DefaultPort),
            Port("admin", InstallBundle.AdminPort),
            Port("metrics", InstallBundle.MetricsPort),
        },
        ["readinessProbe"] = Probe("/readyz", 5),
        ["livenessProbe"] = Probe("/healthz", 10),
        ["resources"] = new Dictionary<string, object?>
        {
            ["requests"] = new Dictionary<string, object?> { ["cpu"] = "100m", ["memory"] = "128Mi" },
            ["limits"] = new Dictionary<string, object?> { ["memory"] = "1Gi" },
        },
        ["securityContext"] = new Dictionary<string, object?>
        {
            ["allowPrivilegeEscalation"] = false,
            ["readOnlyRootFilesystem"] = true,
            ["runAsNonRoot"] = true,
            ["capabilities"] = new Dictionary<string, object?> { ["drop"] = new List<object?> { "ALL" } },
        },
        ["volumeMounts"] = new List<object?>
        {
            new Dictionary<string, object?> { ["name"] = "tmp", ["mountPath"] = "/tmp" },
        },
    };

    private static Dictionary<string, object?> FieldEnv(string name, string path) => new()
    {
        ["name"] = name,
        ["valueFrom"] = new Dictionary<string, object?>
        {
            ["fieldRef"] = new Dictionary<string, object?> { ["fieldPath"] = path },
        },
    };

    private static Dictionary<string, object?> Port(string name, int port) => new()
    {
        ["name"] = name,
        ["containerPort"] = port,
        ["protocol"] = "TCP",
    };

    private static Dictionary<string, object?> Probe(string path, int period) => new()
    {
        ["httpGet"] = new Dictionary<string, object?> { ["path"] = path, ["port"] = "admin" },
        ["periodSeconds"] = period,
        ["timeoutSeconds"] = 2,
        ["failureThreshold"] = 3,
    };

    public static Dictionary<string, object?> Service(int grpcPort)
    {
        var doc = Doc("v1", "Service", Meta(namespaced: true));
        doc["spec"] = new Dictionary<string, object?>
        {
            ["type"] = "ClusterIP",
            ["selector"] = Selector(),
            ["ports"] = new List<object?>
            {
                new Dictionary<string, object?>
                {
                    ["name"] = "grpc-dist",
                    ["port"] = grpcPort,
                    ["targetPort"] = "grpc-dist",
                    ["protocol"] = "TCP",
                },
            },
        };
        return doc;
    }
}
