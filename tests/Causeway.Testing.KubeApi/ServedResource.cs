using System.Text.Json.Nodes;

namespace Causeway.Testing.KubeApi;

/// <summary>A printer column of a CRD version (<c>additionalPrinterColumns</c>): what a Table response shows.</summary>
public sealed record PrinterColumn(string Name, string Type, string JsonPath, string Description = "", int Priority = 0, string Format = "");

/// <summary>
/// One REST resource the fake server serves: its group, versions (the first is the preferred one), names, scope, and,
/// for CRD-defined resources, the printer columns of its Table responses. Every version reads and writes one storage.
/// </summary>
public sealed record ServedResource(
    string Group,
    IReadOnlyList<string> Versions,
    string Plural,
    string Singular,
    string Kind,
    bool Namespaced,
    IReadOnlyList<string> ShortNames,
    IReadOnlyList<string> Categories,
    IReadOnlyList<PrinterColumn> Columns,
    bool HasStatus)
{
    /// <summary>Storage key of the resource: <c>plural</c> or <c>plural.group</c>.</summary>
    public string Key => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public string PreferredVersion => Versions[0];

    public string ApiVersion(string version) => Group.Length == 0 ? version : $"{Group}/{version}";

    public static ServedResource Builtin(string group, string version, string plural, string kind, bool namespaced, bool hasStatus = false, params string[] shortNames) =>
        new(group, [version], plural, kind.ToLowerInvariant(), kind, namespaced, shortNames, [], [], hasStatus);

    /// <summary>The resource a CustomResourceDefinition (apiextensions.k8s.io/v1) defines; null when it is malformed.</summary>
    public static ServedResource? FromCrd(JsonObject crd)
    {
        if (crd["spec"] is not JsonObject spec || spec["names"] is not JsonObject names) return null;
        var group = spec["group"]?.GetValue<string>();
        var plural = names["plural"]?.GetValue<string>();
        var kind = names["kind"]?.GetValue<string>();
        if (group is null || plural is null || kind is null) return null;
        var versions = (spec["versions"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(v => v["served"]?.GetValue<bool>() != false)
            // The storage version first: it is the one discovery prefers.
            .OrderByDescending(v => v["storage"]?.GetValue<bool>() == true)
            .ToList();
        if (versions.Count == 0) return null;
        var columns = (versions[0]["additionalPrinterColumns"] as JsonArray ?? []).OfType<JsonObject>().Select(c => new PrinterColumn(
            c["name"]?.GetValue<string>() ?? "",
            c["type"]?.GetValue<string>() ?? "string",
            c["jsonPath"]?.GetValue<string>() ?? "",
            c["description"]?.GetValue<string>() ?? "",
            c["priority"]?.GetValue<int>() ?? 0,
            c["format"]?.GetValue<string>() ?? "")).ToList();
        return new ServedResource(
            group,
            [.. versions.Select(v => v["name"]!.GetValue<string>())],
            plural,
            names["singular"]?.GetValue<string>() ?? kind.ToLowerInvariant(),
            kind,
            spec["scope"]?.GetValue<string>() != "Cluster",
            Strings(names["shortNames"]),
            Strings(names["categories"]),
            columns,
            versions[0]["subresources"]?["status"] is not null);
    }

    private static List<string> Strings(JsonNode? n) => (n as JsonArray ?? []).Select(x => x!.GetValue<string>()).ToList();
}
