using System.Diagnostics;

namespace Causeway.DataPlane.Tests.Support;

/// <summary>Runs a command-line client the tests drive (curl, h2load), bounded in time.</summary>
public static class ToolProcess
{
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string file, IEnumerable<string> args, int timeoutSeconds = 60, string? stdin = null)
    {
        Assert.True(File.Exists(file), $"{file} is installed (.ci/run installs curl, openssl and nghttp2-client)");
        var psi = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        if (stdin is not null) await p.StandardInput.WriteAsync(stdin);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(file)} did not finish within {timeoutSeconds} s");
        }
        return (p.ExitCode, await stdout, await stderr);
    }
}
