using System.CommandLine;
using System.Net;
using Causeway.Cli.Cluster;
using Causeway.Distribution.Security;
using Causeway.Telemetry;
using Microsoft.Extensions.Logging;

namespace Causeway.Cli.Commands;

/// <summary>
/// <c>causeway proxy --gateway NS/NAME --controller https://HOST:PORT --credentials DIR [--health-address ADDR:PORT]
/// [--metrics-address ADDR:PORT|off]</c>: one proxy of a Gateway in Kubernetes mode. Receives the Gateway's configuration
/// from the controller (mutual TLS with the credentials in DIR: tls.crt, tls.key, ca.crt), serves it, exposes /healthz
/// and /readyz (ready once a configuration is applied) and, on its own port, Prometheus metrics (GET /metrics: the data
/// plane's series, applied/rejected configurations, process and runtime). Keeps serving the last configuration while the
/// controller is away.
/// </summary>
internal static class ProxyCommand
{
    /// <summary>19001 is the metrics port (as Envoy Gateway's proxies use it); the probes moved to 19003.</summary>
    public const string DefaultHealthAddress = "0.0.0.0:19003";
    public const string DefaultMetricsAddress = "0.0.0.0:19001";

    public static Command Create(CliContext context)
    {
        var gateway = new Option<string>("--gateway") { Description = "The Gateway this proxy serves: NAMESPACE/NAME", Required = true };
        var controller = new Option<string>("--controller") { Description = "The controller's distribution endpoint: https://HOST:PORT", Required = true };
        var credentials = new Option<string>("--credentials") { Description = "Directory with tls.crt, tls.key and ca.crt (the Gateway's proxy Secret)", Required = true };
        var health = new Option<string>("--health-address")
        {
            Description = "Where /healthz and /readyz listen",
            DefaultValueFactory = _ => DefaultHealthAddress,
        };
        var metrics = CommonOptions.MetricsAddress(DefaultMetricsAddress);
        var proxyId = new Option<string?>("--proxy-id") { Description = "This proxy's name in the controller's logs (default: $POD_NAME or the host name)" };
        var rateLimit = new RateLimitOptions();
        var command = new Command("proxy", "Serve one Gateway with the configuration the controller distributes (Kubernetes mode)")
        {
            gateway, controller, credentials, health, metrics, proxyId,
        };
        foreach (var o in rateLimit.All) command.Options.Add(o);
        command.SetAction(async (parse, ct) =>
        {
            Causeway.DataPlane.Policies.RateLimit.Global.GlobalRateLimitOptions limits;
            try { limits = rateLimit.Parse(parse); }
            catch (FormatException e)
            {
                await context.Err.WriteLineAsync("error: " + e.Message);
                return 2;
            }
            return await RunAsync(context, parse.GetValue(gateway)!, parse.GetValue(controller)!, parse.GetValue(credentials)!,
                parse.GetValue(health)!, parse.GetValue(metrics)!, parse.GetValue(proxyId), limits, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string gateway, string controller, string credentialsDir, string health, string metrics, string? proxyId,
        Causeway.DataPlane.Policies.RateLimit.Global.GlobalRateLimitOptions globalRateLimit, CancellationToken ct)
    {
        IPEndPoint healthEndpoint;
        IPEndPoint? metricsEndpoint;
        Uri controllerUri;
        try
        {
            if (gateway.Split('/') is not [{ Length: > 0 }, { Length: > 0 }]) throw new FormatException($"--gateway '{gateway}' is not NAMESPACE/NAME");
            if (!Uri.TryCreate(controller, UriKind.Absolute, out controllerUri!) || controllerUri.Scheme != "https")
                throw new FormatException($"--controller '{controller}' is not an https:// URL");
            healthEndpoint = IPEndPoint.Parse(health);
            metricsEndpoint = MetricsServer.ParseAddress(metrics);
        }
        catch (FormatException e)
        {
            await context.Err.WriteLineAsync("error: " + e.Message);
            return 2;
        }

        IssuedCredentials credentials;
        try { credentials = await IssuedCredentials.LoadFromDirectoryAsync(credentialsDir, ct); }
        catch (IOException e)
        {
            await context.Err.WriteLineAsync($"error: cannot read credentials from {credentialsDir}: {e.Message}");
            return 2;
        }

        var ownedLogging = context.LoggerFactory is null;
        var loggerFactory = context.LoggerFactory ?? ConsoleLogging.Create();
        try
        {
            var id = proxyId ?? Environment.GetEnvironmentVariable("POD_NAME") ?? Environment.MachineName;
            var registry = metricsEndpoint is null ? null : new MetricsRegistry();
            var applies = registry is null ? null : new ControlPlaneMetrics();
            if (registry is not null)
            {
                registry.Register(new ProcessCollector());
                registry.Register(applies!);
            }
            await using var host = new ProxyHost(controllerUri, credentials, gateway, id, loggerFactory,
                Integration.DataPlaneEnvironment.Options() with { Metrics = registry, GlobalRateLimit = globalRateLimit }, metrics: applies);
            await using var metricsServer = registry is null ? null : new MetricsServer(registry, metricsEndpoint!, loggerFactory);
            if (metricsServer is not null)
            {
                await metricsServer.StartAsync(ct);
                await context.Out.WriteLineAsync($"proxy: metrics on {metricsServer.BaseAddress}metrics");
            }
            await using var healthServer = new HealthServer(healthEndpoint, () => host.Ready);
            await healthServer.StartAsync(ct);
            await context.Out.WriteLineAsync($"proxy: health endpoint on {healthServer.BaseAddress}");
            await context.Out.FlushAsync(ct);
            host.Start();
            try { await Task.Delay(Timeout.Infinite, ct); }
            catch (OperationCanceledException) { }
            loggerFactory.CreateLogger("Causeway.Proxy").LogInformation("Stopping: closing listeners and draining connections");
            return 0;
        }
        finally
        {
            if (ownedLogging) loggerFactory.Dispose();
        }
    }
}
