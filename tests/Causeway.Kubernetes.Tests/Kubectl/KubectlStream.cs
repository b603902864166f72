using System.Diagnostics;
using System.Text;

namespace Causeway.Kubernetes.Tests.Kubectl;

/// <summary>A running kubectl; its stdout lines as they arrive; killed on dispose.</summary>
internal sealed class KubectlStream : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _stderr = new();
    private readonly Lock _lock = new();

    public KubectlStream(Process process)
    {
        _process = process;
        process.StandardInput.Close();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_lock) _lines.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_lock) _stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public IReadOnlyList<string> Lines { get { lock (_lock) return [.. _lines]; } }

    public string Stderr { get { lock (_lock) return _stderr.ToString(); } }

    public bool HasExited => _process.HasExited;

    /// <summary>Waits (at most <paramref name="seconds"/>) until a printed line satisfies <paramref name="match"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, string what, double seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (Lines.FirstOrDefault(match) is { } line) return line;
            if (_process.HasExited) break;
            await Task.Delay(50);
        }
        Assert.Fail($"kubectl never printed {what} (exited: {_process.HasExited})\n--- stdout ---\n{string.Join('\n', Lines)}\n--- stderr ---\n{Stderr}");
        return "";
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(5000);
        _process.Dispose();
    }
}
