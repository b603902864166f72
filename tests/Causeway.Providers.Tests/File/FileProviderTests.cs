using System.Collections.Concurrent;
using Causeway.Model.Snapshot;
using Causeway.Providers.File;
using Microsoft.Extensions.Logging.Abstractions;

namespace Causeway.Providers.Tests.File;

public sealed class FileProviderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("causeway-fp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private FileProvider Create(TimeSpan? rescan = null, TimeSpan? quiet = null) => new(new FileProviderOptions
    {
        Paths = [_dir],
        QuietPeriod = quiet ?? TimeSpan.FromMilliseconds(100),
        MaxDelay = TimeSpan.FromSeconds(2),
        RescanInterval = rescan ?? TimeSpan.FromMilliseconds(300),
    }, NullLoggerFactory.Instance, TimeProvider.System);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private sealed class Watch : IAsyncDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        private readonly Task _task;
        public ConcurrentQueue<ResourceSnapshot> Snapshots { get; } = new();

        public Watch(FileProvider provider)
        {
            _task = provider.WatchAsync((s, _) => { Snapshots.Enqueue(s); return Task.CompletedTask; }, _cts.Token);
        }

        public async ValueTask DisposeAsync()
        {
            await _cts.CancelAsync();
            await _task.WaitAsync(TimeSpan.FromSeconds(5));
            _cts.Dispose();
        }
    }

    [Fact]
    public void FirstLoadWithErrorsReportsFileAndLine()
    {
        Write("a.yaml", Fixtures.ClassYaml + "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: Bad_Name\n");
        var load = Create().Load();
        Assert.False(load.Ok);
        Assert.Null(load.Snapshot);
        var error = Assert.Single(load.Errors).ToString();
        Assert.StartsWith(Path.Combine(_dir, "a.yaml") + ":", error);
        Assert.Contains("metadata.name", error);
    }

    [Fact]
    public async Task BurstOfWritesIsDebouncedIntoOneSnapshot()
    {
        Write("class.yaml", Fixtures.ClassYaml);
        // A generous quiet period: the machine is shared, and the test is about coalescing, not timing.
        await using var provider = Create(rescan: TimeSpan.FromSeconds(30), quiet: TimeSpan.FromMilliseconds(400));
        Assert.True(provider.Load().Ok);
        await using var watch = new Watch(provider);
        await Task.Delay(100);
        for (var i = 1; i <= 5; i++)
        {
            Write("gw.yaml", string.Concat(Enumerable.Range(1, i).Select(n => Fixtures.GatewayYaml("g" + n))));
            await Task.Delay(10);
        }
        await Fixtures.WaitUntil(() => !watch.Snapshots.IsEmpty, TimeSpan.FromSeconds(5), "a snapshot");
        await Task.Delay(1000);
        var snapshot = Assert.Single(watch.Snapshots);
        Assert.Equal(5, snapshot.Gateways.Length);
    }

    [Fact]
    public async Task RenameAndReplaceSaveIsNoticed()
    {
        Write("conf/gw.yaml", Fixtures.ClassYaml + Fixtures.GatewayYaml("old"));
        await using var provider = Create();
        Assert.True(provider.Load().Ok);
        await using var watch = new Watch(provider);
        await Task.Delay(100);
        var temp = Write("conf/.gw.yaml.swp", Fixtures.ClassYaml + Fixtures.GatewayYaml("new"));
        System.IO.File.Move(temp, Path.Combine(_dir, "conf/gw.yaml"), overwrite: true);
        await Fixtures.WaitUntil(() => watch.Snapshots.Any(s => s.Gateways.Any(g => g.Name == "new")), TimeSpan.FromSeconds(5), "the replaced file");
        Assert.Equal("new", Assert.Single(provider.LastGood!.Snapshot!.Gateways).Name);
    }

    [Fact]
    public async Task InvalidLaterChangeKeepsLastGoodAndExposesErrors()
    {
        var path = Write("gw.yaml", Fixtures.ClassYaml + Fixtures.GatewayYaml("good"));
        await using var provider = Create();
        var first = provider.Load();
        Assert.True(first.Ok);
        await using var watch = new Watch(provider);
        await Task.Delay(100);
        System.IO.File.WriteAllText(path, Fixtures.ClassYaml + "kind: Gateway\napiVersion: gateway.networking.k8s.io/v1\nmetadata: {name: x}\nspec: [oops\n");
        await Fixtures.WaitUntil(() => provider.Errors.Count > 0, TimeSpan.FromSeconds(5), "the load error");
        Assert.Empty(watch.Snapshots);
        Assert.Same(first, provider.LastGood);
        Assert.Contains("gw.yaml:", provider.Errors[0].ToString());

        System.IO.File.WriteAllText(path, Fixtures.ClassYaml + Fixtures.GatewayYaml("fixed"));
        await Fixtures.WaitUntil(() => !watch.Snapshots.IsEmpty, TimeSpan.FromSeconds(5), "the fixed snapshot");
        Assert.Empty(provider.Errors);
        Assert.Equal("fixed", Assert.Single(watch.Snapshots).Gateways.Single().Name);
    }

    [Fact]
    public async Task RescanFindsChangesWithoutWatcherEventsAndIgnoresTouches()
    {
        var path = Write("gw.yaml", Fixtures.ClassYaml + Fixtures.GatewayYaml("a"));
        await using var provider = Create(rescan: TimeSpan.FromMilliseconds(200));
        Assert.True(provider.Load().Ok);
        await using var watch = new Watch(provider);
        // Same content, new mtime: reloaded but not raised.
        System.IO.File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        await Task.Delay(800);
        Assert.Empty(watch.Snapshots);
        Write("more/gw2.yaml", Fixtures.GatewayYaml("b"));
        await Fixtures.WaitUntil(() => !watch.Snapshots.IsEmpty, TimeSpan.FromSeconds(5), "the new file");
        Assert.Equal(2, watch.Snapshots.Last().Gateways.Length);
    }
}
