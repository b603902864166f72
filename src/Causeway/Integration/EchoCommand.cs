using System.Collections;
using System.CommandLine;
using Causeway.Echo;

namespace Causeway.Cli.Integration;

/// <summary>
/// <c>causeway echo [--bind ADDR:PORT]</c>: the conformance echo backend, configured from environment variables as the
/// Gateway API conformance suite's echo pods are (POD_NAME, NAMESPACE, ...); <c>--bind</c> overrides the address.
/// </summary>
internal static class EchoCommand
{
    public static Command Create(CliContext context)
    {
        var bind = new Option<string?>("--bind") { Description = "ADDR:PORT to listen on (overrides the environment)" };
        var command = new Command("echo", "Run the built-in echo backend (answers every request with a JSON description of it)") { bind };
        command.SetAction(async (parse, ct) =>
        {
            await using var server = await StartAsync(parse.GetValue(bind), ct);
            await context.Out.WriteLineAsync($"echo: listening on {string.Join(", ", server.BoundPorts)}");
            try { await Task.Delay(Timeout.Infinite, ct); }
            catch (OperationCanceledException) { }
            return 0;
        });
        return command;
    }

    /// <summary>Starts the echo server from the process environment, with <paramref name="bind"/> overriding its address.</summary>
    /// <param name="log">Where its per-request lines go (default: stdout, as the standalone echo command prints them).</param>
    public static async Task<EchoServer> StartAsync(string? bind, CancellationToken ct, Action<string>? log = null)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            environment[(string)e.Key] = (string?)e.Value;
        var options = EchoOptions.FromEnvironment(environment);
        if (bind is not null)
        {
            var endpoint = System.Net.IPEndPoint.Parse(bind);
            options = options with { BindAddress = endpoint.Address };
            if (endpoint.Port != 0) options = options with { HttpPort = endpoint.Port };
        }
        if (log is not null) options = options with { Log = log };
        return await EchoServer.StartAsync(options, ct);
    }
}
