using System.CommandLine;
using Causeway.Model.Loading;
using Causeway.Model.Snapshot;
using Causeway.Translation;

namespace Causeway.Cli.Commands;

/// <summary><c>causeway validate PATH...</c>: every load error and warning, plus what the translator reports.</summary>
internal static class ValidateCommand
{
    public static Command Create(CliContext context)
    {
        var paths = CommonOptions.Paths("Manifest files or directories (read recursively)");
        var controllers = CommonOptions.ControllerNames();
        var command = new Command("validate", "Check manifests; exits non-zero listing every error (warnings are listed too)")
        {
            paths, controllers,
        };
        command.SetAction(parse => Run(context, parse.GetValue(paths)!, parse.GetValue(controllers)));
        return command;
    }

    internal static int Run(CliContext context, string[] paths, string[]? controllers)
    {
        var load = new ManifestLoader(context.Validator).LoadPaths(paths);
        CommonOptions.WriteDiagnostics(context.Out, load);
        if (!load.Ok)
        {
            context.Out.WriteLine($"{load.Errors.Count} error(s), {load.Warnings.Count} warning(s)");
            return 1;
        }
        var result = Translator.Translate(ResourceSnapshot.Create(load.Objects), new TranslatorOptions
        {
            ControllerNames = CommonOptions.ControllerNamesOrDefault(controllers),
            Now = context.Time.GetUtcNow(),
        });
        var errors = result.Errors.ToHashSet(StringComparer.Ordinal);
        foreach (var error in result.Errors) context.Out.WriteLine("error: " + error);
        var warnings = result.Problems.Where(p => !errors.Contains(p)).ToList();
        foreach (var problem in warnings) context.Out.WriteLine("warning: " + problem);
        if (errors.Count > 0)
        {
            context.Out.WriteLine($"{errors.Count} error(s), {load.Warnings.Count + warnings.Count} warning(s)");
            return 1;
        }
        context.Out.WriteLine($"{load.Objects.Count} object(s) valid, {load.Warnings.Count + warnings.Count} warning(s)");
        return 0;
    }
}
