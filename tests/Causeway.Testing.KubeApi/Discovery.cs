using System.Text.Json.Nodes;

namespace Causeway.Testing.KubeApi;

/// <summary>
/// Legacy (unaggregated) discovery documents from the catalog: <c>/api</c>, <c>/api/v1</c>, <c>/apis</c>,
/// <c>/apis/GROUP</c>, <c>/apis/GROUP/VERSION</c> and <c>/version</c>. Aggregated discovery (apidiscovery.k8s.io/v2) is
/// not offered: clients that ask for it get the legacy documents as <c>application/json</c> and fall back, as they do
/// with an older API server.
/// </summary>
internal static class Discovery
{
    private static readonly string[] Verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    /// <summary>The discovery document for <paramref name="path"/>, or null when the path is not a discovery path.</summary>
    public static JsonObject? For(ResourceCatalog catalog, string path, string serverAddress)
    {
        var seg = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (seg)
        {
            case ["version"]:
                return new JsonObject
                {
                    ["major"] = "1", ["minor"] = "32", ["gitVersion"] = "v1.32.0-causeway-fake", ["platform"] = "linux/amd64",
                    ["goVersion"] = "go1.23", ["compiler"] = "gc", ["gitCommit"] = "", ["gitTreeState"] = "clean", ["buildDate"] = "2025-01-01T00:00:00Z",
                };
            case ["api"]:
                return new JsonObject
                {
                    ["kind"] = "APIVersions",
                    ["versions"] = new JsonArray("v1"),
                    ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
                };
            case ["api", "v1"]:
                return ResourceList(catalog, "", "v1");
            case ["apis"]:
                return new JsonObject
                {
                    ["kind"] = "APIGroupList",
                    ["apiVersion"] = "v1",
                    ["groups"] = new JsonArray([.. Groups(catalog).Select(g => (JsonNode)Group(catalog, g))]),
                };
            case ["apis", var g] when Groups(catalog).Contains(g):
                return Group(catalog, g);
            case ["apis", var g, var v] when Versions(catalog, g).Contains(v):
                return ResourceList(catalog, g, v);
            default:
                return null;
        }
    }

    private static List<string> Groups(ResourceCatalog catalog) =>
        [.. catalog.All.Where(r => r.Group.Length > 0).Select(r => r.Group).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>The group's versions, preferred first (the newest stable version any of its resources prefers).</summary>
    private static List<string> Versions(ResourceCatalog catalog, string group)
    {
        var resources = catalog.All.Where(r => r.Group == group).ToList();
        return [.. resources.SelectMany(r => r.Versions).Distinct().OrderBy(v => Rank(v)).ThenByDescending(v => v, StringComparer.Ordinal)];
    }

    // v1 before v1beta1 before v1alpha2: stable, then beta, then alpha.
    private static int Rank(string version) => version.Contains("alpha", StringComparison.Ordinal) ? 2 : version.Contains("beta", StringComparison.Ordinal) ? 1 : 0;

    private static JsonObject Group(ResourceCatalog catalog, string group)
    {
        var versions = Versions(catalog, group);
        JsonObject Gv(string v) => new() { ["groupVersion"] = $"{group}/{v}", ["version"] = v };
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = new JsonArray([.. versions.Select(v => (JsonNode)Gv(v))]),
            ["preferredVersion"] = Gv(versions[0]),
        };
    }

    private static JsonObject ResourceList(ResourceCatalog catalog, string group, string version)
    {
        var resources = new JsonArray();
        foreach (var r in catalog.All.Where(r => r.Group == group && r.Versions.Contains(version)).OrderBy(r => r.Plural, StringComparer.Ordinal))
        {
            resources.Add(new JsonObject
            {
                ["name"] = r.Plural,
                ["singularName"] = r.Singular,
                ["namespaced"] = r.Namespaced,
                ["kind"] = r.Kind,
                ["verbs"] = new JsonArray([.. Verbs.Select(v => (JsonNode)v)]),
                ["shortNames"] = new JsonArray([.. r.ShortNames.Select(s => (JsonNode)s)]),
                ["categories"] = new JsonArray([.. r.Categories.Select(s => (JsonNode)s)]),
            });
            if (r.HasStatus)
                resources.Add(new JsonObject
                {
                    ["name"] = r.Plural + "/status",
                    ["singularName"] = "",
                    ["namespaced"] = r.Namespaced,
                    ["kind"] = r.Kind,
                    ["verbs"] = new JsonArray("get", "patch", "update"),
                });
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }
}
