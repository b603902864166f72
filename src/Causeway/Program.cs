using Causeway.Cli;

// The data plane's socket continuations run on the epoll threads instead of hopping to the thread pool: +13-41% requests
// per core for every .NET proxy design measured here (../shared/PERFORMANCE.md). Only for `run` and `proxy`, whose request
// path never blocks; the controller keeps the default because it translates after watch reads. Read by System.Net.Sockets
// when its engine starts, i.e. after this line; an explicit setting in the environment wins.
if (args.Length > 0 && args[0] is "run" or "proxy"
    && Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

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
