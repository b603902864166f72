using Causeway.Conformance.Harness.Assertions;
using Causeway.Conformance.Harness.Corpus;
using Causeway.Model.Objects;

namespace Causeway.Conformance.Harness.Runner;

/// <summary>upstream NamespacesMustBeReady: every Gateway there (unless annotated to be skipped) Accepted and Programmed at its generation.</summary>
public static class Readiness
{
    public const string SkipAnnotation = "gateway-api/skip-this-for-readiness";

    public static string? Check(ConformanceSession session, IEnumerable<string> namespaces)
    {
        var set = namespaces.ToHashSet();
        foreach (var gw in session.Store.OfKind("Gateway"))
        {
            var meta = gw.Obj("metadata");
            var ns = meta.Str("namespace") ?? "default";
            if (!set.Contains(ns) || meta.Obj("annotations").Str(SkipAnnotation) == "true") continue;
            var key = new ObjectKey("Gateway", ns, meta.Str("name") ?? "");
            var status = session.Status(key);
            if (status is null) return $"{key}: no status";
            var error = StatusAssertions.ConditionsMatch(status.Arr("conditions"),
                [new System.Text.Json.Nodes.JsonObject { ["type"] = "Accepted", ["status"] = "True" },
                 new System.Text.Json.Nodes.JsonObject { ["type"] = "Programmed", ["status"] = "True" }],
                session.Generation(key));
            if (error is not null) return $"{key}: {error}";
        }
        return null;
    }
}
