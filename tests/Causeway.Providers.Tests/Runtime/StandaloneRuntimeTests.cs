using Causeway.Model.Snapshot;
using Causeway.Providers.Runtime;
using Causeway.Translation;
using Causeway.Translation.Status;
using Microsoft.Extensions.Logging.Abstractions;

namespace Causeway.Providers.Tests.Runtime;

public sealed class StandaloneRuntimeTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static StandaloneRuntime Create(FakeDataPlane plane, string? pool = null, TimeProvider? time = null,
        Func<ResourceSnapshot, TranslatorOptions, TranslationResult>? translate = null) =>
        new(new StandaloneRuntimeOptions { AddressPool = pool, Translate = translate ?? Fixtures.FakeTranslate },
            plane, NullLoggerFactory.Instance, time ?? new ManualTime(T0));

    private static string Address(RuntimeState state, string gateway) =>
        Assert.Single(state.AssignedAddresses[gateway]);

    [Fact]
    public async Task PoolAddressesAreStableWhileGatewaysComeAndGo()
    {
        var plane = new FakeDataPlane();
        await using var runtime = Create(plane, "127.10.0.0/16");
        var first = await runtime.ApplyAsync(Fixtures.Snapshot(Fixtures.ClassYaml + Fixtures.GatewayYaml("m") + Fixtures.GatewayYaml("z")), default);
        Assert.Equal(ApplyStatus.Applied, first.Status);
        Assert.Equal("127.10.0.1", Address(first.State!, "default/m"));
        Assert.Equal("127.10.0.2", Address(first.State!, "default/z"));

        // A new Gateway that sorts first must not shift the others.
        var second = await runtime.ApplyAsync(Fixtures.Snapshot(Fixtures.ClassYaml + Fixtures.GatewayYaml("a") + Fixtures.GatewayYaml("m") + Fixtures.GatewayYaml("z")), default);
        Assert.Equal("127.10.0.1", Address(second.State!, "default/m"));
        Assert.Equal("127.10.0.2", Address(second.State!, "default/z"));
        Assert.Equal("127.10.0.3", Address(second.State!, "default/a"));

        // Removing one keeps the rest; the IR carries the addresses to the data plane.
        var third = await runtime.ApplyAsync(Fixtures.Snapshot(Fixtures.ClassYaml + Fixtures.GatewayYaml("a") + Fixtures.GatewayYaml("z")), default);
        Assert.Equal("127.10.0.3", Address(third.State!, "default/a"));
        Assert.Equal("127.10.0.2", Address(third.State!, "default/z"));
        Assert.False(third.State!.AssignedAddresses.ContainsKey("default/m"));
        var applied = plane.Applied.Last();
        Assert.Equal(["127.10.0.2"], applied.Single(g => g.Name == "default/z").Addresses);
    }

    [Fact]
    public async Task RequestedAddressIsUsedWhenUsableAndNotOtherwise()
    {
        await using var runtime = Create(new FakeDataPlane(), "127.10.0.0/16");
        var outcome = await runtime.ApplyAsync(Fixtures.Snapshot(Fixtures.ClassYaml
            + Fixtures.GatewayYaml("mine", address: "127.0.0.7")
            + Fixtures.GatewayYaml("far", address: "203.0.113.5")
            + Fixtures.GatewayYaml("other-class", className: "not-ours")), default);
        var state = outcome.State!;
        Assert.Equal(new[] { "127.0.0.7" }, state.AssignedAddresses["default/mine"].ToArray());
        Assert.Empty(state.AssignedAddresses["default/far"]);
        Assert.False(state.AssignedAddresses.ContainsKey("default/other-class"));
    }

    [Fact]
    public async Task WithoutPoolNoAddressesAreAssigned()
    {
        await using var runtime = Create(new FakeDataPlane());
        var outcome = await runtime.ApplyAsync(Fixtures.Snapshot(Fixtures.ClassYaml + Fixtures.GatewayYaml("g")), default);
        Assert.Empty(outcome.State!.AssignedAddresses);
        Assert.True(runtime.IsReady);
    }

    [Fact]
    public async Task AppliesAreSerializedAndCoalescedToTheNewest()
    {
        var plane = new FakeDataPlane { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var runtime = Create(plane);
        var snapshots = Enumerable.Range(1, 4)
            .Select(i => Fixtures.Snapshot(Fixtures.ClassYaml + string.Concat(Enumerable.Range(1, i).Select(n => Fixtures.GatewayYaml("g" + n)))))
            .ToList();
        var first = runtime.ApplyAsync(snapshots[0], default);
        await Fixtures.WaitUntil(() => plane.Applied.Count == 1, TimeSpan.FromSeconds(5), "first apply to start");
        var rest = snapshots.Skip(1).Select(s => runtime.ApplyAsync(s, default)).ToList();
        plane.Gate.SetResult();
        var outcomes = await Task.WhenAll(rest.Prepend(first));

        Assert.Equal(2, plane.Applied.Count);
        Assert.Equal(4, plane.Applied.Last().Count);
        Assert.Equal(1, plane.MaxConcurrent);
        Assert.Equal([ApplyStatus.Applied, ApplyStatus.Superseded, ApplyStatus.Superseded, ApplyStatus.Applied], outcomes.Select(o => o.Status));
        Assert.Same(snapshots[3], runtime.Current!.Snapshot);
    }

    [Fact]
    public async Task FailingTranslationKeepsLastGoodConfiguration()
    {
        var plane = new FakeDataPlane();
        await using var runtime = Create(plane, translate: (s, o) =>
            s.Gateways.Any(g => g.Name == "boom") ? throw new InvalidOperationException("kaboom") : Fixtures.FakeTranslate(s, o));
        var good = await runtime.ApplyAsync(Fixtures.Snapshot(Fixtures.ClassYaml + Fixtures.GatewayYaml("g")), default);
        var bad = await runtime.ApplyAsync(Fixtures.Snapshot(Fixtures.ClassYaml + Fixtures.GatewayYaml("boom")), default);

        Assert.Equal(ApplyStatus.Failed, bad.Status);
        Assert.Contains("kaboom", bad.Error);
        Assert.Contains("kaboom", runtime.LastError);
        Assert.True(runtime.IsReady);
        Assert.Same(good.State, runtime.Current);
        Assert.Single(plane.Applied);

        var again = await runtime.ApplyAsync(Fixtures.Snapshot(Fixtures.ClassYaml + Fixtures.GatewayYaml("h")), default);
        Assert.Equal(ApplyStatus.Applied, again.Status);
        Assert.Null(runtime.LastError);
    }

    [Fact]
    public async Task FirstApplyFailureIsNotReady()
    {
        await using var runtime = Create(new FakeDataPlane(), translate: (_, _) => throw new InvalidOperationException("no"));
        var outcome = await runtime.ApplyAsync(ResourceSnapshot.Empty, default);
        Assert.Equal(ApplyStatus.Failed, outcome.Status);
        Assert.False(runtime.IsReady);
        Assert.Null(runtime.Current);
    }

    [Fact]
    public async Task ListenerFailuresAreRetranslatedIntoStatusAndClearedWhenTheyGoAway()
    {
        var plane = new FakeDataPlane { Failures = _ => new Dictionary<string, string> { ["default/g/http"] = "address in use" } };
        var translations = 0;
        await using var runtime = Create(plane, translate: (s, o) => { translations++; return Fixtures.FakeTranslate(s, o); });
        var changes = new List<RuntimeState>();
        runtime.StatusChanged += changes.Add;
        var snapshot = Fixtures.Snapshot(Fixtures.ClassYaml + Fixtures.GatewayYaml("g"));

        var outcome = await runtime.ApplyAsync(snapshot, default);
        Assert.Equal(2, translations);
        Assert.Equal("False", Programmed(outcome.State!).Status);
        Assert.Equal("address in use", outcome.State!.ListenerFailures["default/g/http"]);
        Assert.Single(changes);

        plane.Failures = _ => new Dictionary<string, string>();
        outcome = await runtime.ApplyAsync(snapshot, default);
        Assert.Equal(4, translations);
        Assert.Equal("True", Programmed(outcome.State!).Status);

        outcome = await runtime.ApplyAsync(snapshot, default);
        Assert.Equal(5, translations);
    }

    [Fact]
    public async Task UnchangedConditionsKeepTheirTransitionTime()
    {
        var time = new ManualTime(T0);
        await using var runtime = Create(new FakeDataPlane(), time: time);
        var snapshot = Fixtures.Snapshot(Fixtures.ClassYaml + Fixtures.GatewayYaml("g"));
        await runtime.ApplyAsync(snapshot, default);
        time.Advance(TimeSpan.FromMinutes(5));
        var outcome = await runtime.ApplyAsync(snapshot, default);
        Assert.Equal(T0, Programmed(outcome.State!).LastTransitionTime);
        Assert.Equal(T0 + TimeSpan.FromMinutes(5), outcome.State!.AppliedAt);
        Assert.Equal(T0, outcome.State.FirstSeen[snapshot.Gateways[0].Key]);
    }

    [Fact]
    public async Task FirstSeenIsKeptForStayingObjectsAndForgottenForRemovedOnes()
    {
        var time = new ManualTime(T0);
        await using var runtime = Create(new FakeDataPlane(), time: time);
        string Gws(params string[] names) => Fixtures.ClassYaml + string.Concat(names.Select(n => Fixtures.GatewayYaml(n)));
        await runtime.ApplyAsync(Fixtures.Snapshot(Gws("a", "b", "c", "d", "e", "f")), default);
        time.Advance(TimeSpan.FromMinutes(1));
        // Incremental update: one new, one removed.
        var second = (await runtime.ApplyAsync(Fixtures.Snapshot(Gws("a", "b", "c", "d", "e", "g")), default)).State!;
        Assert.Equal(T0, second.FirstSeen[new("Gateway", "default", "a")]);
        Assert.Equal(T0 + TimeSpan.FromMinutes(1), second.FirstSeen[new("Gateway", "default", "g")]);
        Assert.False(second.FirstSeen.ContainsKey(new("Gateway", "default", "f")));
        Assert.Equal(second.Snapshot.All.Length, second.FirstSeen.Count);
        time.Advance(TimeSpan.FromMinutes(1));
        // Most objects removed: rebuilt, still keeping what stayed.
        var third = (await runtime.ApplyAsync(Fixtures.Snapshot(Gws("g")), default)).State!;
        Assert.Equal(2, third.FirstSeen.Count);
        Assert.Equal(T0 + TimeSpan.FromMinutes(1), third.FirstSeen[new("Gateway", "default", "g")]);
        Assert.Equal(T0, third.FirstSeen[new("GatewayClass", "", "eg")]);
    }

    [Fact]
    public async Task InMemoryProviderAppliesAndDeletes()
    {
        var plane = new FakeDataPlane();
        await using var runtime = Create(plane);
        var provider = new InMemoryProvider(runtime);
        await provider.Apply(Fixtures.Load(Fixtures.ClassYaml + Fixtures.GatewayYaml("a") + Fixtures.GatewayYaml("b")));
        Assert.Equal(2, runtime.Current!.Result.Gateways.Count);
        var outcome = await provider.Delete([provider.Snapshot.Gateways[0].Key]);
        Assert.Equal(ApplyStatus.Applied, outcome.Status);
        Assert.Equal("default/b", Assert.Single(runtime.Current!.Result.Gateways).Name);
        Assert.Equal("default/b", Assert.Single(plane.Applied.Last()).Name);
    }

    [Fact]
    public async Task DisposeDisposesTheDataPlane()
    {
        var plane = new FakeDataPlane();
        var runtime = Create(plane);
        await runtime.ApplyAsync(ResourceSnapshot.Empty, default);
        await runtime.DisposeAsync();
        Assert.True(plane.Disposed);
        Assert.Throws<ObjectDisposedException>(() => { _ = runtime.ApplyAsync(ResourceSnapshot.Empty, default); });
    }

    private static Model.Objects.Condition Programmed(RuntimeState state) =>
        ((GatewayStatus)state.Result.Statuses.Single(s => s.Key.Kind == "Gateway").Status).Conditions.Single(c => c.Type == "Programmed");
}
