using Causeway.Providers.Output;
using System.CommandLine;
using System.Text.Json.Nodes;
using Causeway.Model.Loading;
using Causeway.Model.Snapshot;
using Causeway.Translation.Output;
using Causeway.Translation;

namespace Causeway.Cli.Commands;

/// <summary><c>causeway translate PATH...</c>: prints the IR and/or every object with the status it would get.</summary>
internal static class TranslateCommand
{
    public static Command Create(CliContext context)
    {
        var paths = CommonOptions.Paths("Manifest files or directories (read recursively)");
        var output = new Option<string>("--output", "-o")
        {
            Description = "What to print: ir (the data-plane configuration), status (every object with its status), all, "
                + "or plan (every HTTP route's pipeline steps and the transports that run them)",
            DefaultValueFactory = _ => "all",
        };
        output.AcceptOnlyFromAmong("ir", "status", "all", "plan");
        var format = new Option<string>("--format")
        {
            Description = "Output format",
            DefaultValueFactory = _ => "yaml",
        };
        format.AcceptOnlyFromAmong("yaml", "json");
        var controllers = CommonOptions.ControllerNames();
        var command = new Command("translate", "Translate manifests and print the resulting configuration and statuses (nothing is served)")
        {
            paths, output, format, controllers,
        };
        command.SetAction(parse => Run(context,
            parse.GetValue(paths)!, parse.GetValue(output)!, parse.GetValue(format)!, parse.GetValue(controllers)));
        return command;
    }

    internal static int Run(CliContext context, string[] paths, string output, string format, string[]? controllers)
    {
        var load = new ManifestLoader(context.Validator).LoadPaths(paths);
        foreach (var w in load.Warnings) context.Err.WriteLine("warning: " + w);
        if (!load.Ok)
        {
            foreach (var e in load.Errors) context.Err.WriteLine("error: " + e);
            context.Err.WriteLine($"{load.Errors.Count} error(s); nothing translated");
            return 1;
        }
        var snapshot = ResourceSnapshot.Create(load.Objects);
        var result = Translator.Translate(snapshot, new TranslatorOptions
        {
            ControllerNames = CommonOptions.ControllerNamesOrDefault(controllers),
            Now = context.Time.GetUtcNow(),
        });
        if (output == "plan")
        {
            context.Out.Write(DataPlane.Pipeline.PlanPrinter.Print(result.Gateways));
            return 0;
        }
        JsonNode document = output switch
        {
            "ir" => StatusDocuments.BuildConfigDump(result),
            "status" => StatusDocuments.Build(snapshot, result),
            _ => new JsonObject
            {
                ["gateways"] = StatusDocuments.BuildConfigDump(result),
                ["statuses"] = StatusDocuments.Build(snapshot, result),
                ["problems"] = new JsonArray([.. result.Problems.Select(p => (JsonNode?)JsonValue.Create(p))]),
            },
        };
        if (format == "json") context.Out.WriteLine(document.ToJsonString(OutputJson.Options));
        else YamlOutput.Write(document, context.Out);
        return 0;
    }
}
