using System.Text.Json.Nodes;

namespace Causeway.Testing.KubeApi;

/// <summary>
/// The OpenAPI v3 discovery kubectl reads to decide that the server validates fields itself (<c>fieldValidation</c>):
/// <c>/openapi/v3</c> lists one document per group-version, and each document has, per resource, the object path with
/// the <c>fieldValidation</c> query parameter (on the path and on each operation) and a PATCH operation tagged with <c>x-kubernetes-group-version-kind</c>.
/// No schemas are published (<c>components.schemas</c> is empty): kubectl then builds strategic merge patches from its
/// compiled-in types, uses JSON merge patches for custom resources, and <c>kubectl explain</c> has nothing to show.
/// /openapi/v2 is not served (404).
/// </summary>
internal static class OpenApiV3
{
    public static JsonObject? For(ResourceCatalog catalog, string path)
    {
        var rest = path.TrimEnd('/');
        if (rest == "/openapi/v3") return Root(catalog);
        if (!rest.StartsWith("/openapi/v3/", StringComparison.Ordinal)) return null;
        var gv = rest["/openapi/v3/".Length..];
        var (group, version) = gv.StartsWith("api/", StringComparison.Ordinal) ? ("", gv[4..])
            : gv.StartsWith("apis/", StringComparison.Ordinal) && gv[5..].Split('/') is [var g, var v] ? (g, v) : (null, null);
        if (group is null || version is null) return null;
        var resources = catalog.All.Where(r => r.Group == group && r.Versions.Contains(version)).ToList();
        return resources.Count == 0 ? null : Document(resources, version);
    }

    private static JsonObject Root(ResourceCatalog catalog)
    {
        var paths = new JsonObject();
        foreach (var (group, version) in catalog.All.SelectMany(r => r.Versions.Select(v => (r.Group, v))).Distinct().Order())
        {
            var key = group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";
            paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}" };
        }
        return new JsonObject { ["paths"] = paths };
    }

    private static JsonObject Document(IEnumerable<ServedResource> resources, string version)
    {
        var paths = new JsonObject();
        foreach (var r in resources)
        {
            var root = r.Group.Length == 0 ? $"/api/{version}" : $"/apis/{r.Group}/{version}";
            var collection = r.Namespaced ? $"{root}/namespaces/{{namespace}}/{r.Plural}" : $"{root}/{r.Plural}";
            var gvk = new JsonObject { ["group"] = r.Group, ["version"] = version, ["kind"] = r.Kind };
            JsonObject Operation(string verb) => new()
            {
                ["operationId"] = verb + r.Kind,
                ["parameters"] = Parameters(),
                ["x-kubernetes-action"] = verb,
                ["x-kubernetes-group-version-kind"] = gvk.DeepClone(),
                ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
            };
            static JsonArray Parameters() => new(
                new JsonObject { ["name"] = "fieldManager", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
                new JsonObject { ["name"] = "dryRun", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } });
            paths[collection] = new JsonObject { ["parameters"] = Parameters(), ["get"] = Operation("list"), ["post"] = Operation("post") };
            paths[collection + "/{name}"] = new JsonObject
            {
                ["parameters"] = Parameters(),
                ["get"] = Operation("get"),
                ["put"] = Operation("put"),
                ["patch"] = Operation("patch"),
                ["delete"] = Operation("delete"),
            };
        }
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Causeway fake API server", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
        };
    }
}
