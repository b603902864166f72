using Causeway.Cli;

var context = new CliContext
{
    Out = Console.Out,
    Err = Console.Error,
    DataPlaneFactory = IntegrationHooks.CreateDataPlane,
    Echo = IntegrationHooks.Echo,
    Validator = IntegrationHooks.CreateValidator(),
};
var echoCommand = IntegrationHooks.EchoCommand(context);
return await CausewayCli.InvokeAsync(args, context, echoCommand is null ? [] : [echoCommand]);
