using System.Collections.Concurrent;
using System.Diagnostics;

namespace Causeway.Kubernetes.Tests.Wiring;

/// <summary>A real <c>causeway proxy</c> child process (<c>dotnet causeway.dll proxy ...</c>), killed on dispose.</summary>
internal sealed class ProxyProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource<Uri> _health = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Uri? _metrics;

    private ProxyProcess(Process process) => _process = process;

    public Uri? HealthAddress => _health.Task.IsCompletedSuccessfully ? _health.Task.Result : null;

    /// <summary>The proxy's <c>GET /metrics</c> URL (it is printed before the health line).</summary>
    public Uri? MetricsAddress => _metrics;

    public string Output => string.Join('\n', _output);

    public bool HasExited => _process.HasExited;

    /// <summary>causeway.dll of the CLI project, built with the same configuration and framework as this test assembly.</summary>
    public static string CausewayDll()
    {
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = baseDir.Name;
        var config = baseDir.Parent!.Name;
        for (var d = baseDir; d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "src", "Causeway", "bin", config, tfm, "causeway.dll");
            if (File.Exists(candidate)) return candidate;
        }
        // The referenced CLI project's assembly is also copied next to the tests.
        return Path.Combine(AppContext.BaseDirectory, "causeway.dll");
    }

    public static async Task<ProxyProcess> StartAsync(string gateway, string controller, string credentialsDir)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { CausewayDll(), "proxy", "--gateway", gateway, "--controller", controller, "--credentials", credentialsDir, "--health-address", "127.0.0.1:0",
                     "--metrics-address", "127.0.0.1:0" })
            psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_gcServer"] = "0";
        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start dotnet");
        var p = new ProxyProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            p._output.Enqueue(e.Data);
            const string metrics = "proxy: metrics on ";
            if (e.Data.StartsWith(metrics, StringComparison.Ordinal)) p._metrics = new Uri(e.Data[metrics.Length..]);
            const string prefix = "proxy: health endpoint on ";
            if (e.Data.StartsWith(prefix, StringComparison.Ordinal)) p._health.TrySetResult(new Uri(e.Data[prefix.Length..]));
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) p._output.Enqueue("stderr: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try { await p._health.Task.WaitAsync(TimeSpan.FromSeconds(30)); }
        catch (TimeoutException)
        {
            await p.DisposeAsync();
            Assert.Fail("causeway proxy did not start within 30 s:\n" + p.Output);
        }
        return p;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException) { }
        _process.Dispose();
    }
}
