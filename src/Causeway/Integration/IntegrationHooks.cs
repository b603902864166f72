using System.CommandLine;
using Causeway.Cli.Integration;
using Causeway.Model.Loading;
using Causeway.Providers.Runtime;
using Microsoft.Extensions.Logging;

namespace Causeway.Cli;

/// <summary>The real components behind the CLI (replaces IntegrationHooks.Pending.cs at merge).</summary>
internal static class IntegrationHooks
{
    public static IGatewayDataPlane? CreateDataPlane(ILoggerFactory loggerFactory, Causeway.Telemetry.MetricsRegistry? metrics,
        Causeway.DataPlane.Telemetry.AccessLog.AccessLogWriter? accessLog, Causeway.DataPlane.Policies.RateLimit.Global.GlobalRateLimitOptions? globalRateLimit) =>
        DataPlaneAdapter.Create(loggerFactory, DataPlaneEnvironment.Options() with { Metrics = metrics, AccessLog = accessLog, GlobalRateLimit = globalRateLimit });

    /// <summary>
    /// The echo backend beside <c>causeway run</c>: its lines go to stderr with the application logs, because stdout is the
    /// access log's.
    /// </summary>
    public static EchoStarter? Echo => async (bind, ct) => await Integration.EchoCommand.StartAsync(bind, ct, Console.Error.WriteLine);

    public static IObjectValidator? CreateValidator() => CrdObjectValidator.Default;

    public static Command? EchoCommand(CliContext context) => Integration.EchoCommand.Create(context);
}
