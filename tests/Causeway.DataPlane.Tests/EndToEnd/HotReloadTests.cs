using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Causeway.DataPlane.Tests.Support;
using Xunit.Abstractions;

namespace Causeway.DataPlane.Tests.EndToEnd;

[Collection(LatencyCollection.Name)]
/// <summary>50 concurrent client loops for at least 10 s while 50 configuration changes are written to disk.</summary>
public sealed class HotReloadTests(ITestOutputHelper output)
{
    private const int Pool = 20;

    [Fact]
    public async Task FiftyChangesUnderLoadDropNothingAndShowWithinOneSecond()
    {
        var (a, _) = await E2e.StartHttpEchoAsync("127.61.20.1", "pod-a");
        var (b, _) = await E2e.StartHttpEchoAsync("127.61.20.2", "pod-b");
        await using var _a = a;
        await using var _b = b;
        var ca = TestCerts.CreateCa("reload-ca");
        var certs = new ConcurrentDictionary<string, bool>();
        TestCert NewCert()
        {
            var leaf = TestCerts.CreateLeaf(ca, "stable.example.com", "stable.example.com", "*.example.com");
            certs[leaf.Certificate.Thumbprint] = true;
            return leaf;
        }
        var cert = NewCert();

        await using var run = await CausewayRun.StartAsync("", Pool, d =>
        {
            File.WriteAllText(Path.Combine(d, "base.yaml"), Manifests.GatewayClass + "---\n" + Manifests.Gateway(("https", 8443, "rot-cert"))
                + "---\n" + Manifests.Service("svc-a", "127.61.20.1") + "---\n" + Manifests.Service("svc-b", "127.61.20.2"));
            File.WriteAllText(Path.Combine(d, "stable.yaml"), Manifests.Route("stable", "stable.example.com", ("svc-a", 1)));
            File.WriteAllText(Path.Combine(d, "weighted.yaml"), Manifests.Route("weighted", "w.example.com", ("svc-a", 100), ("svc-b", 0)));
            File.WriteAllText(Path.Combine(d, "cert.yaml"), E2e.SecretYaml("rot-cert", "test", cert.CertificatePem, cert.KeyPem));
        });
        var gw = run.GatewayAddress;

        // The load: 50 loops, each with its own client (own connections), HTTP and HTTPS, accepting any cert we issued.
        using var stopLoad = new CancellationTokenSource();
        long ok = 0;
        var failures = new ConcurrentQueue<string>();
        var loops = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            using var handler = LoadHandler(gw, certs);
            using var client = new HttpClient(handler) { Timeout = E2e.Timeout };
            var url = i % 2 == 0 ? "http://stable.example.com:8080/load" : "https://stable.example.com:8443/load";
            while (!stopLoad.IsCancellationRequested)
            {
                try
                {
                    using var r = await client.GetAsync(url);
                    var body = await r.Content.ReadAsStringAsync();
                    if (r.StatusCode == HttpStatusCode.OK && body.Contains("pod-a", StringComparison.Ordinal)) Interlocked.Increment(ref ok);
                    else failures.Enqueue($"{url}: {(int)r.StatusCode} {body[..Math.Min(200, body.Length)]}");
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    failures.Enqueue($"{url}: {e.GetType().Name} {e.Message} {e.InnerException?.Message}");
                }
            }
        })).ToList();

        var started = Stopwatch.StartNew();
        var latencies = new List<double>();
        var byKind = new List<string>();
        string[] kinds = ["add", "remove", "weight", "cert"];
        using var probe = E2e.Client(gw);
        var weightToB = false;
        for (var i = 0; i < 50; i++)
        {
            var next = i % 4 == 3 ? NewCert() : null;
            var sw = Stopwatch.StartNew();
            switch (i % 4)
            {
                case 0:
                    File.WriteAllText(Path.Combine(run.Dir, $"r{i}.yaml"), Manifests.Route($"r{i}", $"r{i}.example.com", ("svc-b", 1)));
                    var host = $"http://r{i}.example.com:8080/";
                    await E2e.EventuallyAsync(async () => (await probe.GetAsync(host)).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(10), $"route r{i} added");
                    break;
                case 1:
                    File.Delete(Path.Combine(run.Dir, $"r{i - 1}.yaml"));
                    var gone = $"http://r{i - 1}.example.com:8080/";
                    await E2e.EventuallyAsync(async () => (await probe.GetAsync(gone)).StatusCode == HttpStatusCode.NotFound, TimeSpan.FromSeconds(10), $"route r{i - 1} removed");
                    break;
                case 2:
                    weightToB = !weightToB;
                    run.SaveLikeEditor("weighted.yaml", Manifests.Route("weighted", "w.example.com", ("svc-a", weightToB ? 0 : 100), ("svc-b", weightToB ? 100 : 0)));
                    var want = weightToB ? "pod-b" : "pod-a";
                    await E2e.EventuallyAsync(async () => (await probe.GetStringAsync("http://w.example.com:8080/")).Contains(want, StringComparison.Ordinal),
                        TimeSpan.FromSeconds(10), $"weights moved to {want}");
                    break;
                default:
                    run.SaveLikeEditor("cert.yaml", E2e.SecretYaml("rot-cert", "test", next!.CertificatePem, next.KeyPem));
                    await E2e.EventuallyAsync(async () =>
                    {
                        string? served = null;
                        using var fresh = E2e.Client(gw, c => served = c.Thumbprint);
                        using var r = await fresh.GetAsync("https://stable.example.com:8443/");
                        return served == next.Certificate.Thumbprint;
                    }, TimeSpan.FromSeconds(10), $"certificate rotation {i}");
                    break;
            }
            latencies.Add(sw.Elapsed.TotalMilliseconds);
            byKind.Add($"{kinds[i % 4]}:{sw.Elapsed.TotalMilliseconds:F0}");
        }
        var remaining = TimeSpan.FromSeconds(10) - started.Elapsed;
        if (remaining > TimeSpan.Zero) await Task.Delay(remaining);
        await stopLoad.CancelAsync();
        var all = Task.WhenAll(loops);
        Assert.Same(all, await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(20))));

        latencies.Sort();
        var p50 = latencies[latencies.Count / 2];
        var p99 = latencies[(int)Math.Ceiling(latencies.Count * 0.99) - 1];
        output.WriteLine($"changes: {latencies.Count}, visible p50 {p50:F0} ms, p99 {p99:F0} ms, max {latencies[^1]:F0} ms; " +
            $"load: {ok} ok, {failures.Count} failed in {started.Elapsed.TotalSeconds:F1} s");
        output.WriteLine("per change (ms): " + string.Join(" ", byKind));
        foreach (var f in failures.Take(10)) output.WriteLine("failure: " + f);
        Assert.Empty(failures);
        Assert.True(ok > 500, $"only {ok} requests completed");
        Assert.True(latencies[^1] < 1000, $"slowest change became visible after {latencies[^1]:F0} ms (p50 {p50:F0}, p99 {p99:F0})");
        Assert.Equal(0, await run.StopAsync());
    }

    private static SocketsHttpHandler LoadHandler(IPAddress gw, ConcurrentDictionary<string, bool> certs) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ConnectCallback = async (ctx, ct) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(gw, ctx.DnsEndPoint.Port), ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
        SslOptions = new System.Net.Security.SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, c, _, _) => c is not null && certs.ContainsKey(new X509Certificate2(c).Thumbprint),
        },
    };
}
