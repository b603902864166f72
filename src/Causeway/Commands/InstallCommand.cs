using System.CommandLine;
using Causeway.Distribution.Install;

namespace Causeway.Cli.Commands;

/// <summary>
/// <c>causeway install [--namespace NS] [--gateway-api-crds standard|experimental|none] [--image IMAGE]</c>: prints every
/// manifest of a Causeway installation, for <c>causeway install | kubectl apply --server-side -f -</c>.
/// </summary>
internal static class InstallCommand
{
    public static Command Create(CliContext context)
    {
        var ns = new Option<string>("--namespace", "-n")
        {
            Description = "Namespace of the controller",
            DefaultValueFactory = _ => InstallBundle.DefaultNamespace,
        };
        var crds = new Option<string>("--gateway-api-crds")
        {
            Description = "Gateway API CRDs to include: standard, experimental or none",
            DefaultValueFactory = _ => "standard",
        };
        crds.AcceptOnlyFromAmong("standard", "experimental", "none");
        var image = new Option<string>("--image")
        {
            Description = "Causeway image of the controller (and of the proxies it provisions)",
            DefaultValueFactory = _ => InstallBundle.DefaultImage,
        };
        var command = new Command("install", "Print the manifests that install Causeway (pipe to: kubectl apply --server-side -f -)") { ns, crds, image };
        command.SetAction(async (parse, ct) =>
        {
            string text;
            try { text = InstallBundle.Render(parse.GetValue(ns)!, parse.GetValue(crds)!, parse.GetValue(image)!); }
            catch (ArgumentException e)
            {
                await context.Err.WriteLineAsync("error: " + e.Message);
                return 2;
            }
            await context.Out.WriteAsync(text.AsMemory(), ct);
            await context.Out.FlushAsync(ct);
            return 0;
        });
        return command;
    }
}
