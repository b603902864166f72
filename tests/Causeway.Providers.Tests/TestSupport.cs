using System.Collections.Concurrent;
using System.Collections.Immutable;
using Causeway.Model.Loading;
using Causeway.Model.Objects;
using Causeway.Model.Snapshot;
using Causeway.Providers.Runtime;
using Causeway.Translation;
using Causeway.Translation.Ir;
using Causeway.Translation.Status;

namespace Causeway.Providers.Tests;

/// <summary>A data plane that records what it was given and reports failures the test chooses.</summary>
internal sealed class FakeDataPlane : IGatewayDataPlane
{
    public ConcurrentQueue<IReadOnlyList<GatewayIr>> Applied { get; } = new();
    public Func<IReadOnlyList<GatewayIr>, IReadOnlyDictionary<string, string>> Failures { get; set; } = _ => new Dictionary<string, string>();
    public TaskCompletionSource? Gate { get; set; }
    public int Concurrent;
    public int MaxConcurrent;
    public bool Disposed { get; private set; }

    public async Task<DataPlaneApplyResult> ApplyAsync(IReadOnlyList<GatewayIr> gateways, CancellationToken ct)
    {
        var now = Interlocked.Increment(ref Concurrent);
        MaxConcurrent = Math.Max(MaxConcurrent, now);
        try
        {
            Applied.Enqueue(gateways);
            if (Gate is { } gate) await gate.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
            return new DataPlaneApplyResult(Failures(gateways));
        }
        finally { Interlocked.Decrement(ref Concurrent); }
    }

    public ValueTask DisposeAsync() { Disposed = true; return ValueTask.CompletedTask; }
}

internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;
    public override DateTimeOffset GetUtcNow() => _now;
    public void Advance(TimeSpan by) => _now += by;
}

internal static class Fixtures
{
    public static readonly ManifestLoader Loader = new();

    public static IReadOnlyList<KubeObject> Load(string yaml)
    {
        var result = Loader.LoadText(yaml);
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        return result.Objects;
    }

    public static string GatewayYaml(string name, string ns = "default", string className = "eg", string? address = null) => $"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          gatewayClassName: {className}
        {(address is null ? "" : $"  addresses:\n  - type: IPAddress\n    value: {address}\n")}  listeners:
          - name: http
            protocol: HTTP
            port: 8080
        ---

        """;

    public const string ClassYaml = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata:
          name: eg
        spec:
          controllerName: gateway.envoyproxy.io/gatewayclass-controller
        ---

        """;

    public static ResourceSnapshot Snapshot(string yaml) => ResourceSnapshot.Create(Load(yaml));

    /// <summary>A stand-in translator: one GatewayIr per Gateway carrying the assigned addresses, and a Gateway status
    /// whose Programmed condition reflects the listener failures, stamped with options.Now unless unchanged.</summary>
    public static TranslationResult FakeTranslate(ResourceSnapshot snapshot, TranslatorOptions options)
    {
        var gateways = new List<GatewayIr>();
        var statuses = new List<ObjectStatus>();
        foreach (var g in snapshot.Gateways)
        {
            var key = $"{g.Namespace}/{g.Name}";
            var addresses = options.AssignedAddresses.GetValueOrDefault(key, ImmutableArray<string>.Empty);
            gateways.Add(new GatewayIr { Name = key, Addresses = addresses });
            var failed = options.ListenerFailures.Keys.Any(k => k.StartsWith(key + "/", StringComparison.Ordinal));
            var condition = new Condition { Type = "Programmed", Status = failed ? "False" : "True", Reason = failed ? "Invalid" : "Programmed", ObservedGeneration = g.Metadata.Generation, LastTransitionTime = options.Now };
            if (options.PreviousStatuses.TryGetValue(g.Key, out var prev) && prev is GatewayStatus ps
                && ps.Conditions.FirstOrDefault(c => c.Type == "Programmed") is { } old && old.Status == condition.Status)
                condition = condition with { LastTransitionTime = old.LastTransitionTime };
            statuses.Add(new ObjectStatus(g.Key, g.Metadata.Generation, new GatewayStatus
            {
                Addresses = addresses.Select(a => new GatewayStatusAddress("IPAddress", a)).ToImmutableArray(),
                Conditions = ImmutableArray.Create(condition),
                Listeners = ImmutableArray<ListenerStatus>.Empty,
            }));
        }
        return new TranslationResult { Gateways = gateways.ToImmutableArray(), Statuses = [.. statuses] };
    }

    public static async Task WaitUntil(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}
