using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Causeway.Kubernetes.Api;
using Causeway.Translation;
using FakeServer = Causeway.Testing.KubeApi.FakeApiServer;

namespace Causeway.Kubernetes.Tests;

/// <summary>A fake API server, helpers to start controllers against it, and bounded waits.</summary>
internal sealed class Harness : IAsyncDisposable
{
    private readonly List<Controller> _controllers = [];

    private Harness(FakeServer server) => Server = server;

    public FakeServer Server { get; }

    public static async Task<Harness> StartAsync() =>
        new(await FakeServer.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token));

    public ControllerOptions Options(string identity = "controller-a") => new()
    {
        ClientConfiguration = Server.ClientConfiguration(),
        ControllerNames = [TranslatorOptions.DefaultControllerName, TranslatorOptions.EnvoyGatewayControllerName],
        Identity = identity,
        ProxyImage = "causeway:test",
        ControllerAddress = "causeway-controller.causeway-system.svc:9443",
        LeaseDuration = TimeSpan.FromSeconds(2),
        LeaseRetryPeriod = TimeSpan.FromMilliseconds(200),
        Debounce = TimeSpan.FromMilliseconds(30),
        BackoffInitial = TimeSpan.FromMilliseconds(50),
        BackoffMax = TimeSpan.FromMilliseconds(500),
        WatchSilenceTimeout = TimeSpan.FromSeconds(3),
        AbsentKindRetry = TimeSpan.FromSeconds(1),
    };

    public async Task<Controller> StartControllerAsync(ControllerOptions? options = null)
    {
        var c = new Controller(options ?? Options());
        _controllers.Add(c);
        await c.StartAsync(CancellationToken.None);
        return c;
    }

    public void ApplyTestdata(string name) => Server.ApplyManifest(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", name)));

    public static JsonObject? Condition(JsonObject? obj, string type, string path = "status.conditions")
    {
        JsonNode? n = obj;
        foreach (var p in path.Split('.')) n = n is JsonArray a && int.TryParse(p, out var i) ? (i < a.Count ? a[i] : null) : n is JsonObject o ? o[p] : null;
        return (n as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == type);
    }

    public static string? ConditionStatus(JsonObject? obj, string type) => Condition(obj, type)?["status"]?.GetValue<string>();

    /// <summary>
    /// Polls until <paramref name="check"/> holds (at most three times <paramref name="seconds"/>); fails with the description
    /// otherwise. A check that throws (a probe timing out on a busy machine) counts as not holding yet; the last
    /// exception and <paramref name="detail"/> (what the processes involved printed) are in the failure message.
    /// </summary>
    public static async Task WaitAsync(Func<bool> check, string what, double seconds = 10, Func<string>? detail = null)
    {
        // Three times the bound a test names: on a CI machine running every test assembly at once, a controller's 2 s
        // lease and 3 s watch watchdog may expire and recover first. Only a failing wait takes longer.
        seconds *= 3;
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (check()) return;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                last = e;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"timed out after {seconds}s waiting for: {what}"
            + (last is null ? "" : $"\nlast error: {last.GetBaseException().Message}")
            + (detail is null ? "" : "\n" + detail()));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _controllers) await c.DisposeAsync();
        await Server.DisposeAsync();
    }
}
