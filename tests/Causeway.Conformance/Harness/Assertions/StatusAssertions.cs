using System.Text.Json.Nodes;
using Causeway.Conformance.Harness.Corpus;
using Causeway.Model.Objects;

namespace Causeway.Conformance.Harness.Assertions;

/// <summary>What status assertions can look at.</summary>
public interface IStatusView
{
    JsonObject? Status(ObjectKey key);

    /// <summary>metadata.generation as the emulated API server has it (0 when the object does not exist).</summary>
    long Generation(ObjectKey key);

    /// <summary>The generation before the most recent patch of this object, if any.</summary>
    long? GenerationBeforePatch(ObjectKey key);
}

/// <summary>Evaluates <c>expectStatus</c> entries (SOURCE.md "Status assertions"); null means satisfied.</summary>
public static class StatusAssertions
{
    public const string GatewayGroup = "gateway.networking.k8s.io";

    public static ObjectKey KeyOf(StatusExpectation e) =>
        new(e.Kind, e.Kind == "GatewayClass" ? "" : e.Namespace, e.Name);

    public static string? Check(StatusExpectation e, IStatusView view, string controllerName)
    {
        var key = KeyOf(e);
        var raw = e.Raw;
        if (view.Generation(key) == 0) return $"{e}: object does not exist";
        var status = view.Status(key);
        if (raw.Bool("generationChanged"))
        {
            var before = view.GenerationBeforePatch(key);
            return before is null ? $"{e}: no patch recorded" : before == view.Generation(key) ? $"{e}: metadata.generation did not change ({before})" : null;
        }
        if (status is null) return $"{e}: no status";
        var generation = view.Generation(key);
        if (raw.Bool("latestObservedGeneration")) return LatestObservedGeneration(e, status, generation);
        if (raw.Arr("listenersStatus") is { } ls) return ListenersStatus(e, status, ls);
        if (raw.Arr("parents") is { } parents) return Parents(e, status, parents, raw.Bool("namespaceRequired"), controllerName);
        if (raw.Bool("noAcceptedParents"))
        {
            var actual = status.Arr("parents") ?? [];
            if (actual.Count == 0) return null;
            if (actual.Count == 1 && FindCondition(actual[0].Arr("conditions"), "Accepted") is { } c && c.Str("status") == "False") return null;
            return $"{e}: expected no accepted parents, status.parents = {actual.ToJsonString()}";
        }
        if (raw.Bool("zeroAttachedRoutes"))
        {
            var listeners = status.Arr("listeners") ?? [];
            if (listeners.Count == 0 || (listeners.Count == 1 && (listeners[0].Long("attachedRoutes") ?? 0) == 0)) return null;
            return $"{e}: expected zero attached routes, status.listeners = {listeners.ToJsonString()}";
        }
        if (raw.Long("attachedListenerSets") is { } n)
            return (status.Long("attachedListenerSets") ?? 0) == n ? null : $"{e}: attachedListenerSets {status.Long("attachedListenerSets") ?? 0}, expected {n}";
        if (raw.Bool("addressAssigned"))
            return (status.Arr("addresses") ?? []).Any(a => !string.IsNullOrEmpty(a.Str("type"))) ? null : $"{e}: no address with a type in status.addresses";
        if (raw.Obj("statusAddresses") is { } sa) return StatusAddresses(e, status, sa);
        if (raw.Arr("conditions") is { } conditions)
        {
            if (raw.Obj("parent") is { } parent) return ParentConditions(e, status, parent, conditions, controllerName);
            if (raw.Obj("ancestor") is { } ancestor) return AncestorConditions(e, status, ancestor, conditions);
            if (raw.Str("listener") is { } listener) return ListenerConditions(e, status, listener, conditions);
            return ConditionsMatch(status.Arr("conditions"), conditions, generation) is { } err ? $"{e}: {err}" : null;
        }
        return $"{e}: unsupported status assertion {raw.ToJsonString()}";
    }

    public static JsonNode? FindCondition(JsonArray? actual, string type) =>
        actual?.FirstOrDefault(c => c.Str("type") == type);

    /// <summary>Each expected condition present (type, status unless empty, reason when given); with a generation, at that observedGeneration.</summary>
    public static string? ConditionsMatch(JsonArray? actual, JsonArray expected, long? generation)
    {
        foreach (var exp in expected)
        {
            var type = exp.Str("type") ?? "";
            var c = FindCondition(actual, type);
            if (c is null) return $"condition {type} missing (have: {Summary(actual)})";
            var wantStatus = exp.Str("status") ?? "";
            if (wantStatus.Length > 0 && c.Str("status") != wantStatus) return $"condition {type} is {c.Str("status")}/{c.Str("reason")} ({c.Str("message")}), expected {wantStatus}" + (exp.Str("reason") is { } r ? $"/{r}" : "");
            if (exp.Str("reason") is { } reason && c.Str("reason") != reason) return $"condition {type} has reason {c.Str("reason")}, expected {reason}";
            if (generation is { } g && (c.Long("observedGeneration") ?? 0) != g) return $"condition {type} observedGeneration {c.Long("observedGeneration") ?? 0}, generation is {g}";
        }
        return null;
    }

    private static string Summary(JsonArray? conditions) =>
        conditions is null || conditions.Count == 0 ? "none" : string.Join(", ", conditions.Select(c => $"{c.Str("type")}={c.Str("status")}/{c.Str("reason")}"));

    private static string? ParentConditions(StatusExpectation e, JsonObject status, JsonObject parent, JsonArray conditions, string controllerName)
    {
        var name = parent.Str("name");
        var ns = parent.Str("namespace");
        var entries = (status.Arr("parents") ?? []).Where(p =>
            p.Obj("parentRef").Str("name") == name && (string.IsNullOrEmpty(p.Obj("parentRef").Str("namespace")) || p.Obj("parentRef").Str("namespace") == ns)).ToList();
        if (entries.Count == 0) return $"{e}: no status.parents entry for {ns}/{name} (parents: {Parents(status)})";
        string? last = null;
        foreach (var entry in entries)
        {
            if (parent.Str("kind") is { } kind)
            {
                var pr = entry.Obj("parentRef");
                if (entry.Str("controllerName") != controllerName) { last = $"controllerName '{entry.Str("controllerName")}', expected {controllerName}"; continue; }
                if (pr.Str("group") != GatewayGroup) { last = $"parentRef.group '{pr.Str("group")}', expected {GatewayGroup}"; continue; }
                if (pr.Str("kind") != kind) { last = $"parentRef.kind '{pr.Str("kind")}', expected {kind}"; continue; }
                if (e.Namespace != ns && string.IsNullOrEmpty(pr.Str("namespace"))) { last = "parentRef.namespace must be set for a cross-namespace parent"; continue; }
            }
            last = ConditionsMatch(entry.Arr("conditions"), conditions, null);
            if (last is null) return null;
        }
        return $"{e} parent {ns}/{name}: {last}";
    }

    private static string Parents(JsonObject status) =>
        string.Join("; ", (status.Arr("parents") ?? []).Select(p => $"{p.Obj("parentRef").Str("kind")} {p.Obj("parentRef").Str("namespace")}/{p.Obj("parentRef").Str("name")}[{p.Obj("parentRef").Str("sectionName")}] {Summary(p.Arr("conditions"))}"));

    private static string? AncestorConditions(StatusExpectation e, JsonObject status, JsonObject ancestor, JsonArray conditions)
    {
        var name = ancestor.Str("name");
        var ns = ancestor.Str("namespace");
        var entries = (status.Arr("ancestors") ?? []).Where(p =>
            p.Obj("ancestorRef").Str("name") == name && (string.IsNullOrEmpty(p.Obj("ancestorRef").Str("namespace")) || p.Obj("ancestorRef").Str("namespace") == ns)).ToList();
        if (entries.Count == 0) return $"{e}: no status.ancestors entry for {ns}/{name}";
        string? last = null;
        foreach (var entry in entries)
            if ((last = ConditionsMatch(entry.Arr("conditions"), conditions, null)) is null) return null;
        return $"{e} ancestor {ns}/{name}: {last}";
    }

    private static string? ListenerConditions(StatusExpectation e, JsonObject status, string listener, JsonArray conditions)
    {
        var listeners = status.Arr("listeners") ?? [];
        if (listener == "*")
        {
            if (listeners.Count == 0) return $"{e}: no listener status";
            foreach (var l in listeners)
                if (ConditionsMatch(l.Arr("conditions"), conditions, null) is { } err) return $"{e} listener {l.Str("name")}: {err}";
            return null;
        }
        var match = listeners.FirstOrDefault(l => l.Str("name") == listener);
        if (match is null) return $"{e}: no status for listener {listener}";
        return ConditionsMatch(match.Arr("conditions"), conditions, null) is { } error ? $"{e} listener {listener}: {error}" : null;
    }

    private static string? ListenersStatus(StatusExpectation e, JsonObject status, JsonArray expected)
    {
        var actual = status.Arr("listeners") ?? [];
        if (actual.Count != expected.Count) return $"{e}: {actual.Count} listener statuses, expected {expected.Count}";
        foreach (var exp in expected)
        {
            var name = exp.Str("name");
            var l = actual.FirstOrDefault(a => a.Str("name") == name);
            if (l is null) return $"{e}: no status for listener {name}";
            if (exp.Arr("supportedKinds") is { } kinds)
            {
                var have = (l.Arr("supportedKinds") ?? []).Select(k => (k.Str("group") ?? GatewayGroup, k.Str("kind"))).ToList();
                if (kinds.Count == 0 && have.Count != 0) return $"{e} listener {name}: supportedKinds must be empty, got {l.Arr("supportedKinds")!.ToJsonString()}";
                foreach (var k in kinds)
                    if (!have.Contains((k.Str("group") ?? GatewayGroup, k.Str("kind"))))
                        return $"{e} listener {name}: supportedKinds lacks {k.Str("kind")} (have {string.Join(",", have.Select(h => h.Item2))})";
            }
            if (exp.Long("attachedRoutes") is { } ar && (l.Long("attachedRoutes") ?? 0) != ar)
                return $"{e} listener {name}: attachedRoutes {l.Long("attachedRoutes") ?? 0}, expected {ar}";
            if (exp.Arr("conditions") is { } conds && ConditionsMatch(l.Arr("conditions"), conds, null) is { } err)
                return $"{e} listener {name}: {err}";
        }
        return null;
    }

    private static string? Parents(StatusExpectation e, JsonObject status, JsonArray expected, bool namespaceRequired, string controllerName)
    {
        var actual = status.Arr("parents") ?? [];
        foreach (var exp in expected)
        {
            var er = exp.Obj("parentRef");
            var wantController = (exp.Str("controllerName") ?? controllerName).Replace("{GATEWAY_CONTROLLER_NAME}", controllerName, StringComparison.Ordinal);
            string? last = "no matching entry";
            foreach (var a in actual)
            {
                var ar = a.Obj("parentRef");
                if (a.Str("controllerName") != wantController || ar.Str("group") != (er.Str("group") ?? GatewayGroup)
                    || ar.Str("kind") != (er.Str("kind") ?? "Gateway") || ar.Str("name") != er.Str("name")) continue;
                if ((namespaceRequired || !string.IsNullOrEmpty(ar.Str("namespace"))) && ar.Str("namespace") != er.Str("namespace"))
                {
                    last = $"parentRef.namespace '{ar.Str("namespace")}', expected {er.Str("namespace")}";
                    continue;
                }
                if (exp.Str("sectionName") is { } sn && ar.Str("sectionName") != sn) continue;
                last = exp.Arr("conditions") is { } conds ? ConditionsMatch(a.Arr("conditions"), conds, null) : null;
                if (last is null) break;
            }
            if (last is not null) return $"{e}: parent {er.Str("namespace")}/{er.Str("name")}: {last} (parents: {Parents(status)})";
        }
        return null;
    }

    private static string? LatestObservedGeneration(StatusExpectation e, JsonObject status, long generation)
    {
        IEnumerable<JsonNode?> conditions = e.Kind switch
        {
            "Gateway" or "GatewayClass" or "ListenerSet" => status.Arr("conditions") ?? [],
            "BackendTLSPolicy" => (status.Arr("ancestors") ?? []).SelectMany(a => a.Arr("conditions") ?? []),
            _ => (status.Arr("parents") ?? []).SelectMany(p => p.Arr("conditions") ?? []),
        };
        var list = conditions.ToList();
        if (list.Count == 0) return $"{e}: no conditions";
        var stale = list.FirstOrDefault(c => (c.Long("observedGeneration") ?? 0) != generation);
        return stale is null ? null : $"{e}: condition {stale.Str("type")} observedGeneration {stale.Long("observedGeneration") ?? 0}, generation is {generation}";
    }

    private static string? StatusAddresses(StatusExpectation e, JsonObject status, JsonObject spec)
    {
        var actual = (status.Arr("addresses") ?? []).Select(a => (Type: a.Str("type"), Value: a.Str("value"))).ToList();
        if (spec.Long("count") is { } count && actual.Count != count) return $"{e}: {actual.Count} status addresses, expected {count}";
        static string Resolve(string description) =>
            description.Contains("unusable", StringComparison.OrdinalIgnoreCase) ? HarnessConstants.UnusableStaticAddress
            : description.Contains("usable", StringComparison.OrdinalIgnoreCase) ? HarnessConstants.UsableStaticAddress
            : description;
        foreach (var want in spec.StrList("mustContain"))
        {
            var value = Resolve(want);
            if (!actual.Any(a => a.Value == value && (value == want || a.Type == "IPAddress")))
                return $"{e}: status.addresses lacks {value} ({want})";
        }
        foreach (var bad in spec.StrList("mustNotContain"))
            if (actual.Any(a => a.Value == Resolve(bad))) return $"{e}: status.addresses contains {Resolve(bad)} ({bad})";
        return null;
    }
}
