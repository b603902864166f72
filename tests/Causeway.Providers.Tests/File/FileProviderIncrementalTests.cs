using System.Collections.Concurrent;
using Causeway.Model.Loading;
using Causeway.Model.Snapshot;
using Causeway.Providers.File;
using Microsoft.Extensions.Logging.Abstractions;

namespace Causeway.Providers.Tests.File;

/// <summary>Reloads re-read and re-parse only changed files, and still see every change a full load would.</summary>
public sealed class FileProviderIncrementalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("causeway-fpi-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <param name="settle">The settle delay, and then the debounce bound too (which would otherwise cut it at 500 ms).</param>
    private FileProvider Create(TimeSpan? settle = null) => new(new FileProviderOptions
    {
        Paths = [_dir],
        RescanInterval = TimeSpan.FromSeconds(30),
        SettleDelay = settle ?? TimeSpan.FromMilliseconds(100),
        MaxDelay = settle ?? new FileProviderOptions { Paths = [] }.MaxDelay,
    }, NullLoggerFactory.Instance, TimeProvider.System);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private static string[] Gateways(FileLoad load) => [.. load.Snapshot!.Gateways.Select(g => g.Name)];

    [Fact]
    public async Task OnlyTheEditedFileIsParsedAgain()
    {
        Write("a.yaml", Fixtures.ClassYaml);
        Write("b.yaml", Fixtures.GatewayYaml("b"));
        Write("c.yaml", Fixtures.GatewayYaml("c"));
        await using var provider = Create();
        Assert.Equal(["b", "c"], Gateways(provider.Load()));
        Assert.Equal(3, provider.CacheCounters.Parsed);

        var unchanged = provider.Load();
        Assert.Same(unchanged, provider.Load()); // nothing changed: the same load, no new snapshot
        Assert.Equal(3, provider.CacheCounters.Parsed);

        Write("b.yaml", Fixtures.GatewayYaml("b2"));
        Assert.Equal(["b2", "c"], Gateways(provider.Load()));
        Assert.Equal(4, provider.CacheCounters.Parsed);
    }

    [Fact]
    public async Task RenamedAndDeletedFilesAreNoticed()
    {
        Write("a.yaml", Fixtures.ClassYaml);
        Write("b.yaml", Fixtures.GatewayYaml("b"));
        Write("c.yaml", Fixtures.GatewayYaml("c"));
        await using var provider = Create();
        Assert.Equal(["b", "c"], Gateways(provider.Load()));

        System.IO.File.Move(Path.Combine(_dir, "c.yaml"), Path.Combine(_dir, "d.yml"));
        System.IO.File.Delete(Path.Combine(_dir, "b.yaml"));
        var load = provider.Load();
        Assert.True(load.Ok, string.Join("\n", load.Errors));
        Assert.Equal(["c"], Gateways(load));
        Assert.Equal(Path.Combine(_dir, "d.yml"), load.Snapshot!.Gateways.Single().Source!.File);

        System.IO.File.Move(Path.Combine(_dir, "d.yml"), Path.Combine(_dir, ".d.yml")); // hidden: not a manifest
        Assert.Empty(Gateways(provider.Load()));
    }

    [Fact]
    public async Task RewriteWithSameSizeAndTimeIsNoticed()
    {
        // Two writes inside one timestamp tick leave size and time unchanged; the first read was "racy" (close to the
        // file's time), so the next load hashes the bytes again instead of trusting size and time.
        var path = Write("gw.yaml", Fixtures.ClassYaml + Fixtures.GatewayYaml("aaaa"));
        var mtime = System.IO.File.GetLastWriteTimeUtc(path);
        var length = new FileInfo(path).Length;
        await using var provider = Create();
        Assert.Equal(["aaaa"], Gateways(provider.Load()));

        Write("gw.yaml", Fixtures.ClassYaml + Fixtures.GatewayYaml("bbbb"));
        System.IO.File.SetLastWriteTimeUtc(path, mtime);
        Assert.Equal(length, new FileInfo(path).Length);
        Assert.Equal(mtime, System.IO.File.GetLastWriteTimeUtc(path));
        Assert.Equal(["bbbb"], Gateways(provider.Load()));
    }

    [Fact]
    public async Task AFileLongUnchangedIsNotReadAgain()
    {
        var path = Write("gw.yaml", Fixtures.ClassYaml + Fixtures.GatewayYaml("old"));
        System.IO.File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-1));
        await using var provider = Create();
        provider.Load();
        var reads = provider.CacheCounters.Read;
        provider.Load();
        provider.Load();
        Assert.Equal(reads, provider.CacheCounters.Read);

        // A touch (new time, same bytes) is read again but not parsed, and raises nothing new.
        var before = provider.Load();
        System.IO.File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-30));
        var parsed = provider.CacheCounters.Parsed;
        Assert.Same(before, provider.Load());
        Assert.Equal(parsed, provider.CacheCounters.Parsed);
        Assert.Equal(reads + 1, provider.CacheCounters.Read);
    }

    [Fact]
    public async Task DiagnosticsMatchAFullLoadOfTheSameFiles()
    {
        const string deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n---\n";
        Write("a.yaml", Fixtures.ClassYaml + Fixtures.GatewayYaml("x") + deployment);
        Write("b.yaml", deployment + Fixtures.GatewayYaml("y") + Fixtures.GatewayYaml("x")); // x again: a duplicate
        Write("c.yaml", "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: Bad_Name\n");
        Write("d.json", "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"n\"}}");
        await using var provider = Create();
        var incremental = provider.Load();
        var full = new ManifestLoader().LoadPaths([_dir]);

        Assert.False(incremental.Ok);
        Assert.Equal(full.Errors.Select(e => e.ToString()), incremental.Errors.Select(e => e.ToString()));
        Assert.Equal(full.Warnings.Select(e => e.ToString()), incremental.Warnings.Select(e => e.ToString()));
        Assert.Contains(incremental.Errors, e => e.File.EndsWith("b.yaml", StringComparison.Ordinal) && e.Message.StartsWith("duplicate object", StringComparison.Ordinal));

        // Fixing the two bad files in place: the same objects as a full load.
        Write("b.yaml", deployment + Fixtures.GatewayYaml("y"));
        Write("c.yaml", "");
        var fixedLoad = provider.Load();
        var fullFixed = new ManifestLoader().LoadPaths([_dir]);
        Assert.True(fixedLoad.Ok, string.Join("\n", fixedLoad.Errors));
        Assert.Equal(ResourceSnapshot.Create(fullFixed.Objects).All.Select(o => o.Key), fixedLoad.Snapshot!.All.Select(o => o.Key));
        Assert.Equal(fullFixed.Warnings.Select(e => e.ToString()), fixedLoad.Warnings.Select(e => e.ToString()));
    }

    [Fact]
    public async Task AFileCaughtBetweenTruncateAndWriteIsNotApplied()
    {
        var path = Write("gw.yaml", Fixtures.ClassYaml + Fixtures.GatewayYaml("one"));
        // The writer below pauses 150 ms between pieces; a settle delay of 4 s keeps that true on a machine busy enough
        // to stretch a 150 ms sleep many times over.
        await using var provider = Create(settle: TimeSpan.FromSeconds(4));
        Assert.True(provider.Load().Ok);
        var seen = new ConcurrentQueue<ResourceSnapshot>();
        using var cts = new CancellationTokenSource();
        var watch = provider.WatchAsync((s, _) => { seen.Enqueue(s); return Task.CompletedTask; }, cts.Token);
        try
        {
            await Task.Delay(100);
            System.IO.File.WriteAllText(path, ""); // truncate...
            await Task.Delay(150);                  // ...a slow writer (longer than the quiet period)...
            System.IO.File.WriteAllText(path, Fixtures.ClassYaml + Fixtures.GatewayYaml("two")); // ...then the content
            await Fixtures.WaitUntil(() => seen.Any(s => s.Gateways.Any(g => g.Name == "two")), TimeSpan.FromSeconds(5), "the rewritten file");
            Assert.DoesNotContain(seen, s => s.Gateways.IsEmpty);

            // Half written (cut between two documents): fewer objects than before, held too.
            System.IO.File.WriteAllText(path, Fixtures.ClassYaml + Fixtures.GatewayYaml("two") + Fixtures.GatewayYaml("three"));
            await Fixtures.WaitUntil(() => seen.Any(s => s.Gateways.Length == 2), TimeSpan.FromSeconds(5), "two gateways");
            System.IO.File.WriteAllText(path, Fixtures.ClassYaml + Fixtures.GatewayYaml("two"));
            await Task.Delay(150);
            System.IO.File.WriteAllText(path, Fixtures.ClassYaml + Fixtures.GatewayYaml("two") + Fixtures.GatewayYaml("three") + Fixtures.GatewayYaml("four"));
            await Fixtures.WaitUntil(() => seen.Any(s => s.Gateways.Length == 3), TimeSpan.FromSeconds(5), "three gateways");

            // A writer that truncates, then writes in pieces slower than the quiet period: every piece still short
            // of what was served is held, not only the first.
            System.IO.File.WriteAllText(path, "");
            await Task.Delay(150);
            System.IO.File.WriteAllText(path, Fixtures.ClassYaml + Fixtures.GatewayYaml("two"));
            await Task.Delay(150);
            System.IO.File.WriteAllText(path, Fixtures.ClassYaml + Fixtures.GatewayYaml("two") + Fixtures.GatewayYaml("three"));
            await Task.Delay(150);
            System.IO.File.WriteAllText(path, Fixtures.ClassYaml + Fixtures.GatewayYaml("two") + Fixtures.GatewayYaml("three") + Fixtures.GatewayYaml("five"));
            await Fixtures.WaitUntil(() => seen.Any(s => s.Gateways.Any(g => g.Name == "five")), TimeSpan.FromSeconds(5), "gateway five");
            Assert.DoesNotContain(seen.SkipWhile(s => s.Gateways.Length != 2), s => s.Gateways.Length < 2);
            Assert.DoesNotContain(seen.SkipWhile(s => s.Gateways.Length != 3), s => s.Gateways.Length < 3);

            // A file really emptied is applied once it stayed empty for the settle delay.
            System.IO.File.WriteAllText(path, "");
            await Fixtures.WaitUntil(() => seen.Any(s => s.Gateways.IsEmpty), TimeSpan.FromSeconds(15), "the emptied file");
        }
        finally
        {
            await cts.CancelAsync();
            await watch.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    [Fact]
    public async Task ARenameIsAppliedWithoutWaitingForTheQuietPeriod()
    {
        Write("gw.yaml", Fixtures.ClassYaml + Fixtures.GatewayYaml("old"));
        // A quiet period far longer than the bound below: only a rename's "complete file" signal can beat it.
        await using var provider = new FileProvider(new FileProviderOptions
        {
            Paths = [_dir],
            QuietPeriod = TimeSpan.FromSeconds(20),
            MaxDelay = TimeSpan.FromSeconds(30),
            RescanInterval = TimeSpan.FromSeconds(60),
        }, NullLoggerFactory.Instance, TimeProvider.System);
        Assert.True(provider.Load().Ok);
        var seen = new ConcurrentQueue<ResourceSnapshot>();
        using var cts = new CancellationTokenSource();
        var watch = provider.WatchAsync((s, _) => { seen.Enqueue(s); return Task.CompletedTask; }, cts.Token);
        try
        {
            await Task.Delay(200);
            var temp = Write(".gw.yaml.tmp", Fixtures.ClassYaml + Fixtures.GatewayYaml("new"));
            System.IO.File.Move(temp, Path.Combine(_dir, "gw.yaml"), overwrite: true);
            await Fixtures.WaitUntil(() => seen.Any(s => s.Gateways.Any(g => g.Name == "new")), TimeSpan.FromSeconds(10), "the renamed file");
        }
        finally
        {
            await cts.CancelAsync();
            await watch.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }
}
