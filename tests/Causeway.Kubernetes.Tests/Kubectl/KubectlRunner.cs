using System.Diagnostics;
using System.Text;
using Causeway.Testing.KubeApi;

namespace Causeway.Kubernetes.Tests.Kubectl;

/// <summary>What a kubectl invocation printed and how it exited.</summary>
internal sealed record KubectlResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"kubectl {Command} -> exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>
/// Runs the real <c>/usr/bin/kubectl</c> against a <see cref="FakeApiServer"/>: a kubeconfig of its own, a private HOME
/// and discovery cache, and a timeout on every invocation (a hung kubectl is killed and the test fails).
/// </summary>
internal sealed class KubectlRunner : IDisposable
{
    public const string KubectlPath = "/usr/bin/kubectl";

    private readonly string _dir;
    private readonly FakeApiServer _server;

    public KubectlRunner(FakeApiServer server)
    {
        if (!File.Exists(KubectlPath))
            throw new InvalidOperationException(
                $"kubectl not found at {KubectlPath}: the Kubectl* tests drive the real kubectl (v1.32, preinstalled on every machine of this project); install it there");
        _dir = Directory.CreateTempSubdirectory("causeway-kubectl-").FullName;
        _server = server;
        server.RequestLog ??= new();
        Kubeconfig = server.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"));
    }

    public string Kubeconfig { get; }

    /// <summary>A file in the runner's private directory with <paramref name="content"/>.</summary>
    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(KubectlPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["KUBECONFIG"] = Kubeconfig;
        psi.Environment["HOME"] = _dir;
        psi.Environment["KUBECACHEDIR"] = Path.Combine(_dir, "cache");
        psi.Environment["NO_COLOR"] = "1";
        return psi;
    }

    /// <summary>Runs kubectl to completion (killed after <paramref name="timeout"/>, default 60 s).</summary>
    public async Task<KubectlResult> RunAsync(string[] args, string? stdin = null, TimeSpan? timeout = null)
    {
        using var process = Process.Start(StartInfo(args)) ?? throw new InvalidOperationException("cannot start kubectl");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // kubectl exited before reading all of its input: what it printed says why.
        }
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Assert.Fail($"kubectl {string.Join(' ', args)} did not finish within {(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds}s\n{await stdout}\n{await stderr}");
        }
        return new KubectlResult(string.Join(' ', args), process.ExitCode, await stdout, await stderr);
    }

    public Task<KubectlResult> RunAsync(params string[] args) => RunAsync(args, null);

    /// <summary>Runs kubectl and fails the test (with everything it printed) unless it exits 0.</summary>
    public async Task<KubectlResult> OkAsync(params string[] args) => Ok(await RunAsync(args, null));

    /// <summary>Fails the test unless kubectl exited 0, with what it printed and the server's last requests.</summary>
    public KubectlResult Ok(KubectlResult r)
    {
        Assert.True(r.ExitCode == 0, $"{r}\n--- last requests to the fake API server ---\n{string.Join('\n', (_server.RequestLog ?? []).TakeLast(40))}"
                                     + $"\n--- internal errors of the fake API server ---\n{string.Join('\n', _server.InternalErrors)}");
        return r;
    }

    /// <summary>Starts a long-running kubectl (e.g. <c>get -w</c>) whose stdout lines are collected as they come.</summary>
    public KubectlStream Start(params string[] args) => new(Process.Start(StartInfo(args)) ?? throw new InvalidOperationException("cannot start kubectl"));

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
