using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Causeway.Conformance.Harness.Assertions;
using Causeway.Conformance.Harness.Cluster;
using Causeway.Conformance.Harness.Corpus;
using Causeway.Model.Objects;

namespace Causeway.Conformance.Harness.Runner;

/// <summary>Runs one corpus test against a session: manifests, expectStatus, cases in order, cleanup.</summary>
public sealed partial class TestRunner(ConformanceSession session, Action<string> log)
{
    /// <summary>Why the test is not run (skip, provisional, unsupported features, runOnlyIf), or null.</summary>
    public static string? SkipReason(TestDefinition t, IReadOnlySet<string> supported, bool includeProvisional)
    {
        if (t.Skip is not null) return "skip: " + t.Skip;
        if (t.Provisional && !includeProvisional) return "provisional test (set CAUSEWAY_CONFORMANCE_PROVISIONAL=1 to run it)";
        var missing = t.Features.Where(f => !supported.Contains(f)).ToList();
        if (missing.Count > 0) return "unsupported features: " + string.Join(", ", missing);
        var notSupported = t.RunOnlyIfSupported.Where(f => !supported.Contains(f)).ToList();
        if (notSupported.Count > 0) return "runOnlyIf supported not met: " + string.Join(", ", notSupported);
        var supportedButExcluded = t.RunOnlyIfUnsupported.Where(supported.Contains).ToList();
        if (supportedButExcluded.Count > 0) return "runOnlyIf unsupported not met: " + string.Join(", ", supportedButExcluded);
        return null;
    }

    /// <summary>
    /// Loads and runs the test in <paramref name="directory"/>. A <c>cases.yaml</c> the harness cannot fully understand
    /// (unknown setup step, action, field) is a FAILED test, whatever its features or skip reason say.
    /// </summary>
    public async Task<TestOutcome> RunAsync(string directory, CancellationToken ct)
    {
        TestDefinition t;
        try
        {
            t = TestDefinition.Load(directory);
        }
        catch (FormatException e)
        {
            log("FAILED: " + e.Message);
            return new TestOutcome(Path.GetFileName(directory), TestDefinition.FeaturesOf(directory), OutcomeKind.Failed,
                "cases.yaml rejected: " + e.Message, TimeSpan.Zero);
        }
        return await RunAsync(t, ct);
    }

    public async Task<TestOutcome> RunAsync(TestDefinition t, CancellationToken ct)
    {
        var skip = SkipReason(t, session.Options.SupportedFeatures, session.Options.IncludeProvisional);
        if (skip is not null) return TestOutcome.Skipped(t.Name, t.Features, skip);
        if (session.UnavailableReason is { } unavailable)
            return session.SetupFailed
                ? new TestOutcome(t.Name, t.Features, OutcomeKind.Failed, unavailable, TimeSpan.Zero)
                : TestOutcome.Skipped(t.Name, t.Features, unavailable);
        var sw = Stopwatch.StartNew();
        var testStart = DateTimeOffset.UtcNow;
        var created = new List<ObjectKey>();
        var touchedBase = new Dictionary<ObjectKey, JsonObject?>();
        string? failure;
        try
        {
            failure = await RunStepsAsync(t, testStart, created, touchedBase, ct);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or IOException or HttpRequestException)
        {
            failure = $"harness error: {e.GetType().Name}: {e.Message}";
        }
        finally
        {
            await CleanupAsync(created, touchedBase, ct);
        }
        if (failure is not null) log("FAILED: " + failure);
        return new TestOutcome(t.Name, t.Features, failure is null ? OutcomeKind.Passed : OutcomeKind.Failed, failure, sw.Elapsed);
    }

    private async Task<string?> RunStepsAsync(TestDefinition t, DateTimeOffset testStart, List<ObjectKey> created,
        Dictionary<ObjectKey, JsonObject?> touchedBase, CancellationToken ct)
    {
        var docs = session.Rewriter.ReadAndRewrite(t.Manifests).ToList();
        RememberBase(docs.Select(ClusterStore.KeyOf), touchedBase);
        docs = PopulateEndpointSlices(t, docs);
        created.AddRange(await session.ApplyAsync(docs, ct));
        log($"applied {docs.Count} objects");
        if (t.ReadyNamespaces.Count > 0 && await Waits.UntilAsync(() => Readiness.Check(session, t.ReadyNamespaces), session.Options.StatusTimeout, ct) is { } notReady)
            return "namespaces not ready: " + notReady;
        if (await ExpectStatusAsync(t.ExpectStatus, ct) is { } statusError) return "expectStatus: " + statusError;
        var executor = new CaseExecutor(session, testStart, log);
        foreach (var step in t.Cases)
        {
            log(step.Describe());
            string? error = step switch
            {
                RequestStep r => await executor.RunAsync(r.Case, step.Gateway ?? t.Gateway, ct),
                CheckpointStep cp => await CheckpointAsync(cp, ct),
                ActionStep a => await ActionAsync(a, created, touchedBase, ct),
                _ => null,
            };
            if (error is not null) return $"{step.Describe()}: {error}";
        }
        return null;
    }

    private async Task<string?> CheckpointAsync(CheckpointStep cp, CancellationToken ct)
    {
        var namespaces = cp.ReadyNamespaces.Concat(cp.Expectations.SelectMany(e => e.ReadyNamespaces)).ToList();
        if (namespaces.Count > 0 && await Waits.UntilAsync(() => Readiness.Check(session, namespaces), session.Options.StatusTimeout, ct) is { } notReady)
            return "namespaces not ready: " + notReady;
        return await ExpectStatusAsync(cp.Expectations.Where(e => e.ReadyNamespaces.Count == 0 || e.Kind.Length > 0).ToList(), ct);
    }

    /// <summary>Every entry must hold; entries are polled in order against one shared deadline.</summary>
    public async Task<string?> ExpectStatusAsync(IReadOnlyList<StatusExpectation> expectations, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + session.Options.StatusTimeout;
        foreach (var e in expectations)
        {
            var remaining = deadline - DateTime.UtcNow;
            var error = await Waits.UntilAsync(() => StatusAssertions.Check(e, session, HarnessConstants.ControllerName),
                remaining < TimeSpan.Zero ? TimeSpan.Zero : remaining, ct);
            if (error is not null) return error;
        }
        return null;
    }

    private async Task<string?> ActionAsync(ActionStep a, List<ObjectKey> created, Dictionary<ObjectKey, JsonObject?> touchedBase, CancellationToken ct)
    {
        var action = a.Action;
        if (action.Obj("delete") is { } d)
        {
            var key = session.Store.Find(d.Str("kind") ?? "", d.Str("namespace"), d.Str("name") ?? "");
            if (key is null) return $"delete: {d.Str("kind")} {d.Str("namespace")}/{d.Str("name")} does not exist";
            RememberBase([key.Value], touchedBase);
            await session.DeleteAsync([key.Value], ct);
            return null;
        }
        if (action.Obj("patch") is { } p)
        {
            var key = session.Store.Find(p.Str("kind") ?? "", p.Str("namespace"), p.Str("name") ?? "");
            if (key is null) return $"patch: {p.Str("kind")} {p.Str("namespace")}/{p.Str("name")} does not exist";
            RememberBase([key.Value], touchedBase);
            var ops = (JsonArray)(p.Arr("jsonPatch") ?? []).DeepClone();
            foreach (var op in ops.OfType<JsonObject>())
                if (op["value"] is { } v) op["value"] = ResolvePlaceholders(v, key.Value, op.Str("path"));
            await session.PatchAsync(key.Value, ops, ct);
            return null;
        }
        if (action.Obj("apply") is { } apply)
        {
            var doc = session.Rewriter.Rewrite((JsonObject)ResolvePlaceholders(apply.DeepClone(), null, null)!);
            RememberBase([ClusterStore.KeyOf(doc)], touchedBase);
            created.AddRange(await session.ApplyAsync([doc], ct));
            return null;
        }
        if (action.Str("wait") is { } wait)
        {
            await Task.Delay(Waits.ParseGoDuration(wait), ct);
            return null;
        }
        if (action.ContainsKey("note")) return null;
        return $"unknown action {string.Join(", ", action.Select(kv => kv.Key))}";
    }

    /// <summary>Values written as &lt;...&gt; are descriptions: "copy of data[K] of ConfigMap ns/name" and "original ..." are resolved.</summary>
    public JsonNode? ResolvePlaceholders(JsonNode? value, ObjectKey? patched, string? path)
    {
        switch (value)
        {
            case JsonObject o:
                foreach (var k in o.Select(kv => kv.Key).ToList()) o[k] = ResolvePlaceholders(o[k]?.DeepClone(), patched, null);
                return o;
            case JsonArray arr:
                return new JsonArray([.. arr.Select(x => ResolvePlaceholders(x?.DeepClone(), patched, null))]);
            case JsonValue v when Node.AsString(v) is { } s && s.StartsWith('<') && s.EndsWith('>'):
                var copy = CopyOf().Match(s);
                if (copy.Success)
                {
                    var (ns, name) = Node.NsName(copy.Groups["ref"].Value);
                    var kind = copy.Groups["kind"].Value;
                    var data = kind == "Secret" ? session.Secret(ns, name) : session.ConfigMap(ns, name);
                    if (data?.GetValueOrDefault(copy.Groups["key"].Value) is { } found) return JsonValue.Create(found);
                }
                if (s.Contains("original", StringComparison.OrdinalIgnoreCase) && patched is { } key && path is not null)
                {
                    var original = session.Store.Original(key);
                    try { return JsonPatch.Get(original, JsonPatch.Pointer(path))?.DeepClone(); }
                    catch (FormatException) { }
                }
                log($"  unresolved placeholder {s}");
                return value;
            default:
                return value;
        }
    }

    private void RememberBase(IEnumerable<ObjectKey> keys, Dictionary<ObjectKey, JsonObject?> touchedBase)
    {
        foreach (var k in keys)
            if (session.BaseKeys.Contains(k) && !touchedBase.ContainsKey(k)) touchedBase[k] = session.Store.Get(k);
    }

    /// <summary>
    /// <c>setup.populateEndpointSlices</c> (SOURCE.md): the EndpointSlices a test declares without endpoints get the
    /// addresses of the backend pods. <c>true</c> fills every such slice of the test from the Service its
    /// <c>kubernetes.io/service-name</c> label names; a list of <c>{name?, namespace?, rule?}</c> fills the slices
    /// matching name/namespace from the Deployment or Service <c>rule</c> names (default: the label's Service).
    /// A rule that matches no slice, or a backend without pods, is an error, never a silently empty slice.
    /// </summary>
    private List<JsonObject> PopulateEndpointSlices(TestDefinition t, List<JsonObject> docs)
    {
        var setting = t.Setup?["populateEndpointSlices"];
        List<JsonObject> rules = setting switch
        {
            null => [],
            JsonArray list => [.. list.Select(x => x as JsonObject ?? throw new FormatException("setup.populateEndpointSlices: entries must be mappings"))],
            JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.True => [new JsonObject()],
            JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.False => [],
            _ => throw new FormatException("setup.populateEndpointSlices: expected true or a list of {name, namespace, rule}"),
        };
        if (rules.Count == 0) return docs;
        var result = new List<JsonObject>(docs);
        foreach (var rule in rules)
        {
            var matched = 0;
            for (var i = 0; i < result.Count; i++)
            {
                var doc = result[i];
                var meta = doc.Obj("metadata");
                var ns = meta.Str("namespace") ?? "default";
                if (doc.Str("kind") != "EndpointSlice"
                    || (rule.Str("name") is { } name && name != meta.Str("name"))
                    || (rule.Str("namespace") is { } ruleNs && ruleNs != ns))
                    continue;
                matched++;
                var backend = rule.Str("rule") ?? meta.Obj("labels").Str("kubernetes.io/service-name")
                    ?? throw new FormatException($"setup.populateEndpointSlices: EndpointSlice {ns}/{meta.Str("name")} names no Service and the rule names no backend");
                var pods = session.Workloads.PodsOf(ns, backend);
                if (pods.Count == 0)
                {
                    var service = docs.FirstOrDefault(d => d.Str("kind") == "Service" && d.Obj("metadata").Str("name") == backend && (d.Obj("metadata").Str("namespace") ?? "default") == ns)
                        ?? session.Store.Get(new ObjectKey("Service", ns, backend));
                    var selector = service.Obj("spec").StrMap("selector");
                    pods = [.. session.Workloads.Pods.Where(pod => pod.Namespace == ns && selector.Count > 0 && selector.All(kv => pod.Labels.GetValueOrDefault(kv.Key) == kv.Value))];
                }
                if (pods.Count == 0)
                    throw new InvalidOperationException($"setup.populateEndpointSlices: no pods for backend {ns}/{backend} of EndpointSlice {ns}/{meta.Str("name")}");
                result[i] = EndpointSliceSynthesizer.Populate(doc, pods);
            }
            if (matched == 0)
                throw new InvalidOperationException($"setup.populateEndpointSlices: {rule.ToJsonString()} matches no EndpointSlice of the test's manifests");
        }
        return result;
    }

    private async Task CleanupAsync(List<ObjectKey> created, Dictionary<ObjectKey, JsonObject?> touchedBase, CancellationToken ct)
    {
        try
        {
            var toDelete = created.Where(k => !session.BaseKeys.Contains(k)).Distinct().Reverse().ToList();
            await session.DeleteAsync(toDelete, ct);
            var restore = touchedBase.Values.Where(v => v is not null).Select(v => v!).ToList();
            if (restore.Count > 0) await session.ApplyAsync(restore, ct);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or IOException)
        {
            log($"cleanup failed: {e.Message}");
        }
    }

    [GeneratedRegex(@"copy of data\[""(?<key>[^""]+)""\] of (?<kind>ConfigMap|Secret) (?<ref>[^\s>]+)")]
    private static partial Regex CopyOf();
}
