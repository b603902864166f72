using System.Text.Json.Nodes;

namespace Causeway.Testing.KubeApi;

/// <summary>
/// List and watch filters: <c>fieldSelector</c> (<c>a.b=v</c>, <c>a.b==v</c>, <c>a.b!=v</c>, comma-separated, on any
/// dotted field, e.g. <c>metadata.name</c> or <c>involvedObject.uid</c>) and equality-based <c>labelSelector</c>
/// (<c>k=v</c>, <c>k!=v</c>, <c>k</c>, <c>!k</c>). Set-based label selectors (<c>in</c>, <c>notin</c>) are rejected with 400.
/// </summary>
internal sealed class Selectors(IReadOnlyList<(string Path, string Value, bool Equal)> fields, IReadOnlyList<(string Key, string? Value, bool Equal)> labels)
{
    public static Selectors Parse(string? fieldSelector, string? labelSelector)
    {
        var fields = new List<(string, string, bool)>();
        foreach (var term in Terms(fieldSelector))
        {
            var ne = term.IndexOf("!=", StringComparison.Ordinal);
            var eq = term.IndexOf('=');
            if (ne >= 0) fields.Add((term[..ne].Trim(), term[(ne + 2)..].Trim(), false));
            else if (eq >= 0) fields.Add((term[..eq].Trim(), term[(eq + 1)..].TrimStart('=').Trim(), true));
            else throw new ApiError(400, "BadRequest", $"invalid field selector term '{term}'");
        }
        var labels = new List<(string, string?, bool)>();
        foreach (var term in Terms(labelSelector))
        {
            if (term.Contains(" in ", StringComparison.Ordinal) || term.Contains("notin", StringComparison.Ordinal) || term.Contains('('))
                throw new ApiError(400, "BadRequest", $"set-based label selectors are not supported by the fake server: '{term}'");
            var ne = term.IndexOf("!=", StringComparison.Ordinal);
            var eq = term.IndexOf('=');
            if (ne >= 0) labels.Add((term[..ne].Trim(), term[(ne + 2)..].Trim(), false));
            else if (eq >= 0) labels.Add((term[..eq].Trim(), term[(eq + 1)..].TrimStart('=').Trim(), true));
            else if (term.StartsWith('!')) labels.Add((term[1..].Trim(), null, false));
            else labels.Add((term.Trim(), null, true));
        }
        return new Selectors(fields, labels);
    }

    private static IEnumerable<string> Terms(string? selector) =>
        string.IsNullOrWhiteSpace(selector) ? [] : selector.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public bool Matches(JsonObject o)
    {
        foreach (var (path, value, equal) in fields)
        {
            JsonNode? n = o;
            foreach (var p in path.Split('.')) n = (n as JsonObject)?[p];
            if (((SimpleJsonPath.Text(n) ?? "") == value) != equal) return false;
        }
        var objLabels = o["metadata"]?["labels"] as JsonObject;
        foreach (var (key, value, equal) in labels)
        {
            var actual = SimpleJsonPath.Text(objLabels?[key]);
            var holds = value is null ? actual is not null : actual == value;
            if (holds != equal) return false;
        }
        return true;
    }
}
