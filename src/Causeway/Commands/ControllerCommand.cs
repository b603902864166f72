using System.CommandLine;
using System.Net;
using Causeway.Cli.Cluster;
using Causeway.Distribution.Install;
using Causeway.Distribution.Security;
using Causeway.Distribution.Server;
using Causeway.Kubernetes;
using Causeway.Telemetry;
using Microsoft.Extensions.Logging;

namespace Causeway.Cli.Commands;

/// <summary>
/// <c>causeway controller</c>: watches the cluster, translates, provisions each Gateway's proxies, writes status (as the
/// Lease's leader), and distributes each Gateway's configuration to its proxies over mutual TLS. The distribution CA is
/// kept in the Secret <c>causeway-ca</c> of the controller's namespace (or, with <c>--ephemeral-ca</c>, only in memory).
/// </summary>
internal static class ControllerCommand
{
    public static Command Create(CliContext context)
    {
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "kubeconfig file (default: in-cluster when running in a pod, else $KUBECONFIG or ~/.kube/config)" };
        var kubeContext = new Option<string?>("--context") { Description = "kubeconfig context (default: the current one)" };
        var ns = new Option<string>("--namespace", "-n")
        {
            Description = "The controller's namespace (Lease, CA Secret, Service name proxies dial)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } pns ? pns : InstallBundle.DefaultNamespace,
        };
        var controllers = CommonOptions.ControllerNames();
        var proxyImage = new Option<string>("--proxy-image")
        {
            Description = "Image of the proxy Deployments",
            DefaultValueFactory = _ => InstallBundle.DefaultImage,
        };
        var admin = new Option<string>("--admin-address")
        {
            Description = "Where /healthz and /readyz listen",
            DefaultValueFactory = _ => $"0.0.0.0:{InstallBundle.AdminPort}",
        };
        // The admin port (9000) stays the probes'; metrics get the port proxies use too, so one PodMonitor port fits both.
        var metrics = CommonOptions.MetricsAddress($"0.0.0.0:{InstallBundle.MetricsPort}");
        var distribution = new Option<string>("--distribution-address")
        {
            Description = "Where the proxies' gRPC distribution endpoint (mutual TLS) listens",
            DefaultValueFactory = _ => $"0.0.0.0:{DistributionServerOptions.DefaultPort}",
        };
        var controllerAddress = new Option<string?>("--controller-address")
        {
            Description = "The URL proxies dial (default: https://causeway.NAMESPACE.svc:" + DistributionServerOptions.DefaultPort + ")",
        };
        var watchNamespaces = new Option<string[]>("--watch-namespace") { Description = "Only watch these namespaces (repeatable; default: all)" };
        var infraNamespace = new Option<string?>("--infrastructure-namespace") { Description = "Create every Gateway's proxies in this namespace (default: the Gateway's)" };
        var identity = new Option<string?>("--identity") { Description = "This replica's Lease identity (default: $POD_NAME or the host name)" };
        var ephemeralCa = new Option<bool>("--ephemeral-ca")
        {
            Description = "Generate the distribution CA in memory instead of loading/persisting Secret causeway-ca (tests, single replica)",
        };
        var command = new Command("controller", "Run the Kubernetes controller (watches, status, proxy provisioning, configuration distribution)")
        {
            kubeconfig, kubeContext, ns, controllers, proxyImage, admin, metrics, distribution, controllerAddress, watchNamespaces, infraNamespace, identity, ephemeralCa,
        };
        var rateLimit = new RateLimitOptions();
        foreach (var o in rateLimit.All) command.Options.Add(o);
        command.Options.Add(rateLimit.Secret);
        command.SetAction(async (parse, ct) =>
        {
            Causeway.Kubernetes.Infrastructure.ProxyRateLimit? limits;
            try { limits = rateLimit.ParseForProxies(parse); }
            catch (FormatException e)
            {
                await context.Err.WriteLineAsync("error: " + e.Message);
                return 2;
            }
            return await RunAsync(context, new Settings(
                parse.GetValue(kubeconfig), parse.GetValue(kubeContext), parse.GetValue(ns)!, parse.GetValue(controllers), parse.GetValue(proxyImage)!,
                parse.GetValue(admin)!, parse.GetValue(distribution)!, parse.GetValue(controllerAddress), parse.GetValue(watchNamespaces),
                parse.GetValue(infraNamespace), parse.GetValue(identity), parse.GetValue(ephemeralCa), parse.GetValue(metrics)!) { ProxyRateLimit = limits }, ct);
        });
        return command;
    }

    private sealed record Settings(string? Kubeconfig, string? KubeContext, string Namespace, string[]? ControllerNames, string ProxyImage,
        string AdminAddress, string DistributionAddress, string? ControllerAddress, string[]? WatchNamespaces, string? InfrastructureNamespace,
        string? Identity, bool EphemeralCa, string MetricsAddress)
    {
        /// <summary>Where the proxies count global rate limits (null: not configured).</summary>
        public Causeway.Kubernetes.Infrastructure.ProxyRateLimit? ProxyRateLimit { get; init; }
    }

    private static async Task<int> RunAsync(CliContext context, Settings s, CancellationToken ct)
    {
        IPEndPoint adminEndpoint, distributionEndpoint;
        IPEndPoint? metricsEndpoint;
        Uri controllerUri;
        try
        {
            adminEndpoint = IPEndPoint.Parse(s.AdminAddress);
            metricsEndpoint = MetricsServer.ParseAddress(s.MetricsAddress);
            distributionEndpoint = IPEndPoint.Parse(s.DistributionAddress);
            var address = s.ControllerAddress ?? $"https://{InstallBundle.Name}.{s.Namespace}.svc:{DistributionServerOptions.DefaultPort}";
            if (!Uri.TryCreate(address, UriKind.Absolute, out controllerUri!) || controllerUri.Scheme != "https")
                throw new FormatException($"--controller-address '{address}' is not an https:// URL");
        }
        catch (FormatException e)
        {
            await context.Err.WriteLineAsync("error: " + e.Message);
            return 2;
        }

        var ownedLogging = context.LoggerFactory is null;
        var loggerFactory = context.LoggerFactory ?? ConsoleLogging.Create();
        var logger = loggerFactory.CreateLogger("Causeway.Controller");
        try
        {
            var registry = metricsEndpoint is null ? null : new MetricsRegistry();
            var controlPlane = registry is null ? null : new ControlPlaneMetrics();
            if (registry is not null)
            {
                registry.Register(new ProcessCollector());
                registry.Register(controlPlane!);
            }
            var inCluster = s.Kubeconfig is null && Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is { Length: > 0 };
            var options = new ControllerOptions
            {
                Kubeconfig = s.Kubeconfig,
                KubeContext = s.KubeContext,
                InCluster = inCluster,
                ControllerNames = CommonOptions.ControllerNamesOrDefault(s.ControllerNames),
                WatchNamespaces = [.. s.WatchNamespaces ?? []],
                InfrastructureNamespace = s.InfrastructureNamespace,
                ProxyImage = s.ProxyImage,
                ControllerAddress = controllerUri.GetLeftPart(UriPartial.Authority),
                LeaseNamespace = s.Namespace,
                LeaseName = InstallBundle.Name + "-controller",
                Metrics = controlPlane,
                ProxyRateLimit = s.ProxyRateLimit,
            };
            if ((s.Identity ?? Environment.GetEnvironmentVariable("POD_NAME")) is { Length: > 0 } id) options = options with { Identity = id };

            using var authority = s.EphemeralCa ? CertificateAuthority.Create() : await LoadCaAsync(options, s.Namespace, logger, ct);
            var dnsNames = new List<string>
            {
                InstallBundle.Name, $"{InstallBundle.Name}.{s.Namespace}", $"{InstallBundle.Name}.{s.Namespace}.svc",
                $"{InstallBundle.Name}.{s.Namespace}.svc.cluster.local", "localhost",
            };
            var ips = new List<IPAddress> { IPAddress.Loopback, IPAddress.IPv6Loopback };
            if (IPAddress.TryParse(controllerUri.Host.Trim('[', ']'), out var hostIp)) { if (!ips.Contains(hostIp)) ips.Add(hostIp); }
            else if (!dnsNames.Contains(controllerUri.Host)) dnsNames.Add(controllerUri.Host);

            var serverOptions = new DistributionServerOptions
            {
                Endpoint = distributionEndpoint,
                Authority = authority,
                ServerDnsNames = dnsNames,
                ServerIpAddresses = ips,
                LoggerFactory = loggerFactory,
                Metrics = controlPlane,
            };
            // Only the leader serves the proxies: the ACKs that gate Programmed are then the ones the status writer sees.
            // A follower's distribution port is closed, so proxies redial until they reach the leader.
            await using var controller = new Controller(options with { ProgrammedRequiresProxies = true }, loggerFactory);
            await using var leaderDistribution = new LeaderDistribution(controller, serverOptions, logger);
            controller.LeadershipChanged += _ => leaderDistribution.Sync();
            await using var health = new HealthServer(adminEndpoint, () => controller.Synced);
            await health.StartAsync(ct);
            await using var metricsServer = registry is null ? null : new MetricsServer(registry, metricsEndpoint!, loggerFactory);
            if (metricsServer is not null)
            {
                await metricsServer.StartAsync(ct);
                await context.Out.WriteLineAsync($"controller: metrics on {metricsServer.BaseAddress}metrics");
            }
            await context.Out.WriteLineAsync($"controller: distribution on {distributionEndpoint} while leader, health endpoint on {health.BaseAddress}");
            await context.Out.FlushAsync(ct);
            await controller.RunAsync(ct);
            return 0;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 0;
        }
        finally
        {
            if (ownedLogging) loggerFactory.Dispose();
        }
    }

    /// <summary>Loads or creates Secret causeway-ca, retrying while the API server is unreachable.</summary>
    private static async Task<CertificateAuthority> LoadCaAsync(ControllerOptions options, string ns, ILogger logger, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        while (true)
        {
            try { return await DistributionCaStore.LoadOrCreateAsync(options, ns, logger, ct); }
            catch (Exception e) when (e is HttpRequestException or Causeway.Kubernetes.Api.KubeApiException or TimeoutException
                                      || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                logger.LogWarning("cannot load the distribution CA from Secret {Namespace}/{Name}: {Error}; retrying in {Delay}", ns, DistributionCaStore.SecretName, e.Message, delay);
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, delay.Ticks * 2));
            }
        }
    }
}
