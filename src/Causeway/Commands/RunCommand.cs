using System.CommandLine;
using Causeway.Providers.Admin;
using Causeway.Providers.File;
using Causeway.Providers.Runtime;
using Causeway.Telemetry;
using Microsoft.Extensions.Logging;

namespace Causeway.Cli.Commands;

/// <summary>
/// <c>causeway run PATH...</c>: serves the Gateways in the manifests, reloading when files change, until SIGTERM or
/// Ctrl+C (then stops accepting, drains and exits 0). A first load with errors exits 1 listing them.
/// </summary>
internal static partial class RunCommand
{
    public static Command Create(CliContext context)
    {
        var paths = CommonOptions.Paths("Manifest files or directories (read recursively, watched for changes)");
        var admin = new Option<string>("--admin-address")
        {
            Description = "Where the admin API (/healthz, /readyz, /status, /config_dump) listens",
            DefaultValueFactory = _ => AdminServerOptions.DefaultAddress,
        };
        var pool = new Option<string?>("--address-pool")
        {
            Description = "CIDR from which each Gateway gets its own stable address, e.g. 127.10.0.0/16 (default: bind all addresses)",
        };
        var echo = new Option<string?>("--with-echo")
        {
            Description = "Also start the built-in echo backend on ADDR:PORT (the examples' backends point at it)",
        };
        var metrics = CommonOptions.MetricsAddress("127.0.0.1:19001");
        var accessLog = CommonOptions.AccessLog();
        var logFormat = CommonOptions.LogFormat();
        var controllers = CommonOptions.ControllerNames();
        var rateLimit = new RateLimitOptions();
        var command = new Command("run", "Serve the Gateways described by the manifests") { paths, admin, pool, echo, metrics, accessLog, logFormat, controllers };
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
            return await RunAsync(context, new RunSettings(
                parse.GetValue(paths)!, parse.GetValue(admin)!, parse.GetValue(pool), parse.GetValue(echo), parse.GetValue(controllers),
                parse.GetValue(metrics)!, parse.GetValue(accessLog)!, parse.GetValue(logFormat)!) { GlobalRateLimit = limits }, ct);
        });
        return command;
    }

    internal sealed record RunSettings(string[] Paths, string AdminAddress, string? AddressPool, string? WithEcho, string[]? ControllerNames,
        string MetricsAddress = "off", string AccessLog = "off", string LogFormat = "text")
    {
        /// <summary>Where global rate limits are counted (null: no Redis).</summary>
        public Causeway.DataPlane.Policies.RateLimit.Global.GlobalRateLimitOptions? GlobalRateLimit { get; init; }
    }

    internal static async Task<int> RunAsync(CliContext context, RunSettings settings, CancellationToken ct)
    {
        var ownedLogging = context.LoggerFactory is null;
        var loggerFactory = context.LoggerFactory ?? CommonOptions.CreateLogging(settings.LogFormat);
        try
        {
            return await RunCoreAsync(context, settings, loggerFactory, ct);
        }
        finally
        {
            if (ownedLogging) loggerFactory.Dispose();
        }
    }

    private static async Task<int> RunCoreAsync(CliContext context, RunSettings settings, ILoggerFactory loggerFactory, CancellationToken ct)
    {
        var logger = loggerFactory.CreateLogger("Causeway.Run");
        System.Net.IPEndPoint adminEndpoint;
        System.Net.IPEndPoint? metricsEndpoint;
        Causeway.DataPlane.Telemetry.AccessLog.AccessLogFormat accessLogFormat;
        try
        {
            adminEndpoint = AdminServerOptions.ParseAddress(settings.AdminAddress);
            metricsEndpoint = MetricsServer.ParseAddress(settings.MetricsAddress);
            accessLogFormat = Causeway.DataPlane.Telemetry.AccessLog.AccessLogWriter.ParseFormat(settings.AccessLog);
            if (settings.AddressPool is not null) _ = new AddressPool(settings.AddressPool);
        }
        catch (FormatException e)
        {
            await context.Err.WriteLineAsync("error: " + e.Message);
            return 2;
        }

        await using var files = new FileProvider(new FileProviderOptions { Paths = settings.Paths, Validator = context.Validator }, loggerFactory, context.Time);
        var first = files.Load();
        foreach (var w in first.Warnings) await context.Err.WriteLineAsync("warning: " + w);
        if (!first.Ok)
        {
            foreach (var e in first.Errors) await context.Err.WriteLineAsync("error: " + e);
            await context.Err.WriteLineAsync($"{first.Errors.Count} error(s) in the manifests; not starting");
            return 1;
        }

        var registry = metricsEndpoint is null ? null : new MetricsRegistry();
        var controlPlane = registry is null ? null : new ControlPlaneMetrics();
        if (registry is not null)
        {
            registry.Register(new ProcessCollector());
            registry.Register(controlPlane!);
        }
        // Always made (even for --access-log off, which only turns the default log off): EnvoyProxy access log settings
        // with a /dev/stdout sink write through it.
        await using var accessLog = new Causeway.DataPlane.Telemetry.AccessLog.AccessLogWriter(accessLogFormat, context.AccessLogOutput());
        registry?.Register(accessLog);
        var dataPlane = context.DataPlaneFactory(loggerFactory, registry, accessLog, settings.GlobalRateLimit);
        if (dataPlane is null)
        {
            await context.Err.WriteLineAsync("error: this build of causeway has no data plane");
            return 2;
        }

        IAsyncDisposable? echo = null;
        try
        {
            if (settings.WithEcho is not null)
            {
                if (context.Echo is null)
                {
                    await context.Err.WriteLineAsync("error: this build of causeway has no echo backend");
                    await dataPlane.DisposeAsync();
                    return 2;
                }
                echo = await context.Echo(settings.WithEcho, ct);
                LogEcho(logger, settings.WithEcho);
            }

            await using var runtime = new StandaloneRuntime(new StandaloneRuntimeOptions
            {
                AddressPool = settings.AddressPool,
                ControllerNames = CommonOptions.ControllerNamesOrDefault(settings.ControllerNames),
                // The process serves one configuration: give memory back after it shrinks or grows a lot.
                MemoryReclaim = new MemoryReclaimOptions { Enabled = true },
                Metrics = controlPlane,
                GlobalRateLimitBackend = settings.GlobalRateLimit?.Redis is not null,
            }, dataPlane, loggerFactory, context.Time);

            var outcome = await runtime.ApplyAsync(first.Snapshot!, ct);
            if (outcome.Status == ApplyStatus.Failed)
            {
                await context.Err.WriteLineAsync("error: " + outcome.Error);
                return 1;
            }

            await using var adminServer = new AdminServer(new AdminServerOptions
            {
                Address = adminEndpoint,
                LoadErrors = () => [.. files.Errors.Select(e => e.ToString())],
            }, runtime, loggerFactory);
            await adminServer.StartAsync(ct);
            await using var metricsServer = registry is null ? null : new MetricsServer(registry, metricsEndpoint!, loggerFactory);
            if (metricsServer is not null)
            {
                await metricsServer.StartAsync(ct);
                LogMetrics(logger, metricsServer.BaseAddress);
                context.MetricsStarted?.Invoke(metricsServer.BaseAddress!);
            }
            LogStarted(logger, adminServer.BaseAddress, runtime.Current?.Result.Gateways.Count ?? 0);
            context.AdminStarted?.Invoke(adminServer.BaseAddress!);

            await files.WatchAsync(async (snapshot, token) =>
            {
                var applied = await runtime.ApplyAsync(snapshot, token);
                if (applied.Status == ApplyStatus.Applied && files.ChangeObservedAt != 0)
                    controlPlane?.Propagation.ObserveTicks(System.Diagnostics.Stopwatch.GetTimestamp() - files.ChangeObservedAt);
            }, ct);
            LogStopping(logger);
            return 0;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            LogStopping(logger);
            return 0;
        }
        finally
        {
            if (echo is not null) await echo.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Causeway is serving {Gateways} gateways; admin API on {Admin}")]
    private static partial void LogStarted(ILogger logger, Uri? admin, int gateways);

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics (Prometheus) on {Address}metrics")]
    private static partial void LogMetrics(ILogger logger, Uri? address);

    [LoggerMessage(Level = LogLevel.Information, Message = "Echo backend listening on {Bind}")]
    private static partial void LogEcho(ILogger logger, string bind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: closing listeners and draining connections")]
    private static partial void LogStopping(ILogger logger);
}
