using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace Causeway.DataPlane.Tests.Observability;

/// <summary>
/// A real Prometheus server (Debian's package; <c>.ci/run</c> installs it) scraping one target every second, on its
/// own loopback address, with its data in a temp directory; stopped and removed on dispose.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus";
    public const string Promtool = "/usr/bin/promtool";

    private readonly Process _process;
    private readonly string _dir;
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(10) };

    private PrometheusServer(Process process, string dir, Uri address)
    {
        _process = process;
        _dir = dir;
        Address = address;
    }

    public Uri Address { get; }

    /// <param name="listen">Where Prometheus listens, e.g. 127.62.70.1:9090 (an address of the test's own).</param>
    /// <param name="target">The scraped <c>host:port</c> (its <c>/metrics</c>).</param>
    public static async Task<PrometheusServer> StartAsync(string listen, string target)
    {
        Assert.True(File.Exists(Binary), $"{Binary} is missing: install Debian's prometheus package (.ci/run does)");
        var dir = Path.Combine(Path.GetTempPath(), "causeway-prometheus-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var config = Path.Combine(dir, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
            - job_name: causeway
              static_configs:
              - targets: ["{target}"]
            """);
        var psi = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--config.file=" + config, "--storage.tsdb.path=" + Path.Combine(dir, "data"), "--web.listen-address=" + listen, "--log.level=warn" })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, dir, new Uri($"http://{listen}/"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                using var r = await server._client.GetAsync(new Uri(server.Address, "-/ready"));
                if (r.IsSuccessStatusCode) return server;
            }
            catch (HttpRequestException)
            {
            }
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"prometheus did not become ready on {listen}");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>An instant query; the result vector as (labels, value) pairs.</summary>
    public async Task<List<(JsonObject Labels, double Value)>> QueryAsync(string promql)
    {
        var json = JsonNode.Parse(await _client.GetStringAsync(new Uri(Address, "api/v1/query?query=" + WebUtility.UrlEncode(promql))))!;
        Assert.Equal("success", (string?)json["status"]);
        var result = new List<(JsonObject, double)>();
        foreach (var r in json["data"]!["result"]!.AsArray())
        {
            var value = (string)r!["value"]![1]!;
            result.Add((r["metric"]!.AsObject(), value == "NaN" ? double.NaN : double.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));
        }
        return result;
    }

    /// <summary>Polls <paramref name="promql"/> until <paramref name="done"/> holds for its result or the time is up; returns the last result.</summary>
    public async Task<List<(JsonObject Labels, double Value)>> WaitForAsync(string promql, Func<List<(JsonObject Labels, double Value)>, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var result = await QueryAsync(promql);
            if (done(result) || DateTime.UtcNow > deadline) return result;
            await Task.Delay(250);
        }
    }

    /// <summary>Runs promtool with <paramref name="args"/> (and <paramref name="stdin"/>); its exit code and output.</summary>
    public static async Task<(int Code, string Output)> PromtoolAsync(string? stdin, params string[] args)
    {
        Assert.True(File.Exists(Promtool), $"{Promtool} is missing: install Debian's prometheus package (.ci/run does)");
        var psi = new ProcessStartInfo(Promtool) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null) await p.StandardInput.WriteAsync(stdin);
        p.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout + await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        _client.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
