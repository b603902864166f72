using System.Collections.Immutable;
using Causeway.Model.Loading;
using Causeway.Translation;
using k8s;

namespace Causeway.Kubernetes;

/// <summary>Options of <c>causeway controller</c>.</summary>
public sealed record ControllerOptions
{
    /// <summary>Path of a kubeconfig file; null with <see cref="InCluster"/> false: the default kubeconfig ($KUBECONFIG or ~/.kube/config).</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>The kubeconfig context to use (null: the current context).</summary>
    public string? KubeContext { get; init; }

    /// <summary>Use the Pod's ServiceAccount (in-cluster configuration).</summary>
    public bool InCluster { get; init; }

    /// <summary>A ready client configuration; when set, it wins over <see cref="Kubeconfig"/> and <see cref="InCluster"/>.</summary>
    public KubernetesClientConfiguration? ClientConfiguration { get; init; }

    /// <summary>GatewayClass controllerNames this controller accepts; the first is written in route status.</summary>
    public ImmutableArray<string> ControllerNames { get; init; } = [TranslatorOptions.DefaultControllerName];

    /// <summary>Namespaces to watch for namespaced kinds; empty: every namespace.</summary>
    public ImmutableArray<string> WatchNamespaces { get; init; } = [];

    /// <summary>Where proxy infrastructure is created; null: in each Gateway's namespace (owner-referenced to it).</summary>
    public string? InfrastructureNamespace { get; init; }

    /// <summary>Image of the proxy Deployment (Causeway's image; the container runs <c>causeway proxy</c>).</summary>
    public string ProxyImage { get; init; } = "ghcr.io/causeway/causeway:latest";

    /// <summary>The address proxies dial to receive their configuration (<c>https://host:port</c>, the controller Service).</summary>
    public string ControllerAddress { get; init; } = "https://causeway.causeway-system.svc:18000";

    /// <summary>
    /// IR distribution to the proxies: the controller publishes each Gateway's IR on it after every translation, issues
    /// each Gateway's proxy credentials into a Secret, and reports Programmed=True only once the proxies acknowledged the
    /// published version. Null: no distribution (Programmed does not wait for proxies).
    /// </summary>
    public ControllerDistribution? Distribution { get; init; }

    /// <summary>
    /// When true, a Gateway is Programmed only once proxies acknowledged it, even while no distribution is attached
    /// (<see cref="Controller.AttachDistribution"/>): then every Gateway is Pending.
    /// </summary>
    public bool ProgrammedRequiresProxies { get; init; }

    /// <summary>Where the proxy Deployment mounts its credentials Secret.</summary>
    /// <summary>Where the proxies count BackendTrafficPolicy global rate limits (null: nowhere; such policies are warned).</summary>
    public Infrastructure.ProxyRateLimit? ProxyRateLimit { get; init; }

    public const string ProxyCredentialsPath = "/etc/causeway/credentials";

    /// <summary>Port of the proxy's health endpoints (<c>/healthz</c> liveness, <c>/readyz</c> readiness).</summary>
    public int ProxyHealthPort { get; init; } = 19003;

    /// <summary>
    /// Port of the proxy's Prometheus endpoint (<c>GET /metrics</c>): a container port named <c>metrics</c> and the
    /// <c>prometheus.io/*</c> pod annotations; 0 turns the proxies' metrics off (<c>--metrics-address off</c>).
    /// </summary>
    public int ProxyMetricsPort { get; init; } = 19001;

    /// <summary>Where reconciles, translation time, propagation and status writes are counted (null: nowhere).</summary>
    public Causeway.Telemetry.ControlPlaneMetrics? Metrics { get; init; }

    /// <summary>How long a terminating proxy keeps serving (preStop) before it is stopped.</summary>
    public TimeSpan ProxyDrainTime { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Field manager of server-side apply.</summary>
    public string FieldManager { get; init; } = "causeway";

    public string LeaseNamespace { get; init; } = "causeway-system";
    public string LeaseName { get; init; } = "causeway-controller";

    /// <summary>This replica's identity in the Lease (default: host name and a random suffix).</summary>
    public string Identity { get; init; } = $"{Environment.MachineName}-{Guid.NewGuid():N}"[..Math.Min(63, Environment.MachineName.Length + 33)];

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan LeaseRetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Events arriving within this delay are coalesced into one translation.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A full reconcile happens at least this often even without events (repairs failed writes).</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A watch with no event nor bookmark for this long is restarted.</summary>
    public TimeSpan WatchSilenceTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>timeoutSeconds asked of the server for each watch.</summary>
    public TimeSpan WatchServerTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan BackoffInitial { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a kind the server does not serve (an optional CRD) is looked for again.</summary>
    public TimeSpan AbsentKindRetry { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Validates and defaults Gateway API objects as the loader does for files (null: no schema checks).</summary>
    public IObjectValidator? Validator { get; init; } = CrdObjectValidator.Default;

    internal KubernetesClientConfiguration BuildClientConfiguration() =>
        ClientConfiguration
        ?? (InCluster ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(Kubeconfig, KubeContext));
}
