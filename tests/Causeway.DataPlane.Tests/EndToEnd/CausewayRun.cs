using System.Net;
using System.Text.Json.Nodes;
using Causeway.Cli;
using Causeway.Model.Loading;
using Causeway.Providers.Runtime;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>
/// <c>causeway run DIR --address-pool 127.60.N.0/24 --admin-address 127.0.0.1:0</c> in-process, on a temp copy of an
/// example directory, stopped by cancelling the CLI's token (as SIGTERM does).
/// </summary>
public sealed class CausewayRun : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly StringWriter _out = new();
    private readonly StringWriter _err = new();
    private readonly ILoggerFactory _logging = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning));
    private Task<int>? _run;

    private readonly DataPlaneOptions? _options;

    private readonly string[] _args;

    private CausewayRun(string dir, int pool, DataPlaneOptions? options, string[]? args)
    {
        Dir = dir;
        Pool = pool;
        _options = options;
        _args = args ?? [];
    }

    /// <summary>The temp directory <c>causeway run</c> watches.</summary>
    public string Dir { get; }

    public int Pool { get; }

    /// <summary>The address the pool gives the first Gateway: 127.60.N.1.</summary>
    public IPAddress GatewayAddress => IPAddress.Parse($"127.60.{Pool}.1");

    public Uri Admin { get; private set; } = null!;

    public string Output => _out.ToString() + _err.ToString();

    /// <summary>Copies <paramref name="example"/> (a directory under examples/) to a temp directory, lets
    /// <paramref name="edit"/> rewrite it, then starts <c>causeway run</c> on it (with <paramref name="args"/> after the
    /// usual ones) and waits for its admin API.</summary>
    public static async Task<CausewayRun> StartAsync(string example, int pool, Action<string>? edit = null, DataPlaneOptions? options = null,
        string[]? args = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"causeway-e2e-{pool}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        if (example.Length > 0)
            foreach (var f in Directory.GetFiles(Path.Combine(RepoRoot(), "examples", example)))
                File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        edit?.Invoke(dir);
        var run = new CausewayRun(dir, pool, options, args);
        await run.StartRunAsync();
        return run;
    }

    /// <summary>What <c>causeway run</c> wrote as its access log (its stdout).</summary>
    public AccessLogCapture AccessLog { get; } = new();

    /// <summary>The stats listener (<c>GET /metrics</c>) of the running gateway.</summary>
    public Uri? MetricsAddress { get; private set; }

    private async Task StartRunAsync()
    {
        var admin = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var context = new CliContext
        {
            Out = TextWriter.Synchronized(_out),
            Err = TextWriter.Synchronized(_err),
            DataPlaneFactory = (lf, metrics, accessLog, globalRateLimit) => DataPlaneAdapter.Create(lf,
                (_options ?? new DataPlaneOptions()) with { Metrics = metrics, AccessLog = accessLog, GlobalRateLimit = globalRateLimit }),
            AccessLogOutput = () => AccessLog,
            MetricsStarted = uri => MetricsAddress = uri,
            Validator = CrdObjectValidator.Default,
            LoggerFactory = _logging,
            AdminStarted = uri => admin.TrySetResult(uri),
        };
        _run = Task.Run(() => CausewayCli.InvokeAsync(
            ["run", Dir, "--address-pool", $"127.60.{Pool}.0/24", "--admin-address", "127.0.0.1:0", "--metrics-address", "127.0.0.1:0", .. _args], context, ct: _stop.Token));
        var first = await Task.WhenAny(admin.Task, _run, Task.Delay(TimeSpan.FromSeconds(30)));
        if (first != admin.Task)
            throw new InvalidOperationException($"causeway run did not start (exit {(_run.IsCompleted ? _run.Result : -1)}): {Output}");
        Admin = await admin.Task;
    }

    public async Task<JsonObject> StatusAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return JsonNode.Parse(await client.GetStringAsync(new Uri(Admin, "status")))!.AsObject();
    }

    /// <summary>Runs <c>causeway status --admin URL</c> and returns what it printed.</summary>
    public async Task<(int Exit, string Out, string Err)> StatusCommandAsync(params string[] extra)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = await CausewayCli.InvokeAsync(["status", "--admin", Admin.ToString(), .. extra], new CliContext { Out = o, Err = e });
        return (code, o.ToString(), e.ToString());
    }

    /// <summary>Writes a file the way editors save: write a temp file beside it, then rename over the original.</summary>
    public void SaveLikeEditor(string name, string content)
    {
        var target = Path.Combine(Dir, name);
        var temp = Path.Combine(Dir, "." + name + ".swp~");
        File.WriteAllText(temp, content);
        File.Move(temp, target, overwrite: true);
    }

    /// <summary>Cancels the run (SIGTERM) and returns its exit code; bounded.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        await _stop.CancelAsync();
        if (_run is null) return -1;
        var done = await Task.WhenAny(_run, Task.Delay(timeout ?? TimeSpan.FromSeconds(40)));
        if (done != _run) throw new TimeoutException("causeway run did not stop: " + Output);
        return await _run;
    }

    public async ValueTask DisposeAsync()
    {
        try { await StopAsync(); }
        catch (Exception) { /* already reported by the test that stopped it */ }
        _stop.Dispose();
        _logging.Dispose();
        try { Directory.Delete(Dir, recursive: true); }
        catch (IOException) { }
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Causeway.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
