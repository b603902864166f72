using System.CommandLine;
using Causeway.Model.Loading;
using Causeway.Providers.Runtime;
using Microsoft.Extensions.Logging;

namespace Causeway.Cli;

/// <summary>
/// What this branch builds without the data plane, echo server and schema validator (not merged here yet).
/// At merge: delete this file and the <c>Compile Remove="Integration/**"</c> line of Causeway.csproj; the files in
/// Integration/ provide the same members wired to the real components.
/// </summary>
internal static class IntegrationHooks
{
    public static IGatewayDataPlane? CreateDataPlane(ILoggerFactory loggerFactory) => null;

    public static EchoStarter? Echo => null;

    public static IObjectValidator? CreateValidator() => null;

    public static Command? EchoCommand(CliContext context) => null;
}
