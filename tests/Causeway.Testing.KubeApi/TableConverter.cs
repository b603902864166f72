using System.Globalization;
using System.Text.Json.Nodes;

namespace Causeway.Testing.KubeApi;

/// <summary>
/// Server-side printing (<c>Accept: application/json;as=Table;v=v1;g=meta.k8s.io</c>): a meta.k8s.io/v1 Table with a
/// Name column, then the CRD's <c>additionalPrinterColumns</c> (or Age when it has none), as the API server's CRD table
/// convertor renders them: the first JSONPath match per cell, dates as ages.
/// </summary>
internal static class TableConverter
{
    public const string MediaType = "application/json;as=Table;v=v1;g=meta.k8s.io";

    private static readonly PrinterColumn Age = new("Age", "date", ".metadata.creationTimestamp",
        "CreationTimestamp is a timestamp representing the server time when this object was created.");

    public static bool Wanted(string? accept) => accept is not null && accept.Contains("as=Table", StringComparison.Ordinal);

    public static JsonObject Convert(ServedResource resource, IEnumerable<JsonObject> objects, string? resourceVersion, bool includeObject, DateTimeOffset now)
    {
        var columns = resource.Columns.Count > 0 ? resource.Columns : [Age];
        var definitions = new JsonArray(new JsonObject
        {
            ["name"] = "Name", ["type"] = "string", ["format"] = "name", ["description"] = "Name must be unique within a namespace.", ["priority"] = 0,
        });
        foreach (var c in columns)
            definitions.Add(new JsonObject { ["name"] = c.Name, ["type"] = c.Type, ["format"] = c.Format, ["description"] = c.Description, ["priority"] = c.Priority });
        var rows = new JsonArray();
        foreach (var o in objects)
        {
            var cells = new JsonArray(o["metadata"]?["name"]?.DeepClone());
            foreach (var c in columns) cells.Add(Cell(c, SimpleJsonPath.Find(o, c.JsonPath).FirstOrDefault(), now));
            rows.Add(new JsonObject { ["cells"] = cells, ["object"] = includeObject ? o.DeepClone() : PartialMetadata(o) });
        }
        var meta = new JsonObject();
        if (resourceVersion is not null) meta["resourceVersion"] = resourceVersion;
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = meta,
            ["columnDefinitions"] = definitions,
            ["rows"] = rows,
        };
    }

    private static JsonObject PartialMetadata(JsonObject o) => new()
    {
        ["kind"] = "PartialObjectMetadata",
        ["apiVersion"] = "meta.k8s.io/v1",
        ["metadata"] = o["metadata"]?.DeepClone(),
    };

    private static JsonNode? Cell(PrinterColumn column, JsonNode? value, DateTimeOffset now)
    {
        if (value is null) return null;
        switch (column.Type)
        {
            case "date":
                return DateTimeOffset.TryParse(SimpleJsonPath.Text(value), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
                    ? HumanDuration(now - t) : "<invalid>";
            case "integer" or "number" or "boolean":
                return value.DeepClone();
            default:
                return SimpleJsonPath.Text(value);
        }
    }

    /// <summary>k8s.io/apimachinery's duration.HumanDuration: "5s", "3m20s", "10h", "358d", "2y".</summary>
    public static string HumanDuration(TimeSpan d)
    {
        if (d < TimeSpan.FromSeconds(-1)) return "<invalid>";
        if (d < TimeSpan.Zero) return "0s";
        var seconds = (long)d.TotalSeconds;
        if (seconds < 60 * 2) return $"{seconds}s";
        var minutes = (long)d.TotalMinutes;
        if (minutes < 10) return (seconds % 60) == 0 ? $"{minutes}m" : $"{minutes}m{seconds % 60}s";
        if (minutes < 60 * 3) return $"{minutes}m";
        var hours = (long)d.TotalHours;
        if (hours < 8) return (minutes % 60) == 0 ? $"{hours}h" : $"{hours}h{minutes % 60}m";
        if (hours < 48) return $"{hours}h";
        if (hours < 24 * 8) return (hours % 24) == 0 ? $"{hours / 24}d" : $"{hours / 24}d{hours % 24}h";
        if (hours < 24 * 365 * 2) return $"{hours / 24}d";
        if (hours < 24 * 365 * 8) { var dy = hours / 24 % 365; return dy == 0 ? $"{hours / 24 / 365}y" : $"{hours / 24 / 365}y{dy}d"; }
        return $"{hours / 24 / 365}y";
    }
}
