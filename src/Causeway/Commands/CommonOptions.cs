using System.Collections.Immutable;
using System.CommandLine;
using Causeway.Model.Loading;
using Causeway.Translation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Causeway.Cli.Commands;

/// <summary>Arguments and helpers several commands share.</summary>
internal static class CommonOptions
{
    public static Argument<string[]> Paths(string description) => new("PATH")
    {
        Description = description,
        Arity = ArgumentArity.OneOrMore,
    };

    /// <summary><c>--metrics-address ADDR:PORT|off</c>: the stats listener serving <c>GET /metrics</c>.</summary>
    public static Option<string> MetricsAddress(string defaultAddress) => new("--metrics-address")
    {
        Description = "Where Prometheus metrics are served (GET /metrics), or off",
        DefaultValueFactory = _ => defaultAddress,
    };

    /// <summary><c>--access-log json|text|off</c>: one line per request (and L4 connection) on stdout.</summary>
    public static Option<string> AccessLog()
    {
        var o = new Option<string>("--access-log")
        {
            Description = "Default access log on stdout, for Gateways whose EnvoyProxy sets no spec.telemetry.accessLog: json (Envoy Gateway's default fields), text (Envoy's default line) or off",
            DefaultValueFactory = _ => "json",
        };
        o.AcceptOnlyFromAmong("json", "text", "off");
        return o;
    }

    /// <summary><c>--log-format text|json</c>: application logs, always on stderr.</summary>
    public static Option<string> LogFormat()
    {
        var o = new Option<string>("--log-format")
        {
            Description = "Application log format on stderr: text or json",
            DefaultValueFactory = _ => "text",
        };
        o.AcceptOnlyFromAmong("text", "json");
        return o;
    }

    /// <summary>
    /// Application logging on stderr (stdout is the access log's), as single-line text or JSON. Kestrel's warning that
    /// HTTP/2 needs TLS on cleartext ports is not for operators (cleartext h2c is served by prior knowledge), and the
    /// hosting lifetime's banner lines are noise; both are left out.
    /// </summary>
    public static ILoggerFactory CreateLogging(string format) => LoggerFactory.Create(b =>
    {
        if (format == "json")
            b.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        else
            b.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        b.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        b.SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Error)
            .AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning)
            .AddFilter("Yarp", LogLevel.Warning);
    });

    public static Option<string[]> ControllerNames() => new("--controller-name")
    {
        Description = "GatewayClass controllerName to serve (repeatable). Default: "
            + TranslatorOptions.DefaultControllerName + " and " + TranslatorOptions.EnvoyGatewayControllerName,
        AllowMultipleArgumentsPerToken = false,
    };

    public static ImmutableArray<string> ControllerNamesOrDefault(string[]? values) =>
        values is { Length: > 0 }
            ? [.. values.Distinct(StringComparer.Ordinal)]
            : [TranslatorOptions.DefaultControllerName, TranslatorOptions.EnvoyGatewayControllerName];

    /// <summary>Writes every diagnostic as <c>error: FILE:LINE: ...</c> / <c>warning: ...</c>.</summary>
    public static void WriteDiagnostics(TextWriter writer, LoadResult result)
    {
        foreach (var e in result.Errors) writer.WriteLine("error: " + e);
        foreach (var w in result.Warnings) writer.WriteLine("warning: " + w);
    }
}
