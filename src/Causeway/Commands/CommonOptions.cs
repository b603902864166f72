using System.Collections.Immutable;
using System.CommandLine;
using Causeway.Model.Loading;
using Causeway.Translation;

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
