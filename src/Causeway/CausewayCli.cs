using System.CommandLine;
using Causeway.Cli.Commands;

namespace Causeway.Cli;

/// <summary>The <c>causeway</c> command line, built around a <see cref="CliContext"/> so tests can invoke it in-process.</summary>
public static class CausewayCli
{
    public static RootCommand Build(CliContext context, IEnumerable<Command>? extraCommands = null)
    {
        var root = new RootCommand("Causeway: a Kubernetes Gateway API gateway. Standalone: run it on a directory of manifests.")
        {
            RunCommand.Create(context),
            TranslateCommand.Create(context),
            ValidateCommand.Create(context),
            StatusCommand.Create(context),
            InstallCommand.Create(context),
            ControllerCommand.Create(context),
            ProxyCommand.Create(context),
        };
        foreach (var command in extraCommands ?? []) root.Add(command);
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; SIGTERM/Ctrl+C cancel the command, which then has 30 s to drain.</summary>
    public static Task<int> InvokeAsync(string[] args, CliContext context, IEnumerable<Command>? extraCommands = null, CancellationToken ct = default)
    {
        var root = Build(context, extraCommands);
        var parse = root.Parse(args);
        return parse.InvokeAsync(new InvocationConfiguration
        {
            Output = context.Out,
            Error = context.Err,
            ProcessTerminationTimeout = TimeSpan.FromSeconds(30),
        }, ct);
    }
}
