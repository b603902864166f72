using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Causeway.Model.Schema;

/// <summary>
/// One validation pass over a (defaulted) object: OpenAPI value validations, structural checks (unknown
/// fields, list types) and CEL rules. Not thread-safe; create one per validation.
/// </summary>
internal sealed partial class SchemaChecker
{
    private readonly FieldPath _path = new();

    public List<SchemaError> Errors { get; } = [];

    /// <summary>Whether CEL rules are evaluated (on by default; off only for diagnostics).</summary>
    public bool EvaluateRules { get; init; } = true;

    /// <summary>Validates <paramref name="node"/> against <paramref name="s"/>.</summary>
    /// <param name="node">The value.</param>
    /// <param name="s">Its schema.</param>
    /// <param name="structural">False inside oneOf/anyOf/allOf/not: value validations only (no unknown-field checks, no CEL).</param>
    public void Check(JsonNode? node, SchemaNode s, bool structural = true)
    {
        var before = Errors.Count;
        if (node is null)
        {
            if (!s.Nullable && s.Type is not null)
            {
                Add($"Invalid value: \"null\": must be of type {s.Type}");
            }

            return;
        }

        if (!CheckType(node, s))
        {
            return;
        }

        CheckEnum(node, s);
        switch (node)
        {
            case JsonObject obj:
                CheckObject(obj, s, structural);
                break;
            case JsonArray arr:
                CheckArray(arr, s, structural);
                break;
            case JsonValue v:
                CheckScalar(v, s);
                break;
        }

        CheckCombinators(node, s);
        if (structural && EvaluateRules && s.Rules.Count > 0)
        {
            CelRuleRunner.Run(node, s, _path, Errors, subtreeHasErrors: Errors.Count > before);
        }
    }

    private void Add(string message) => Errors.Add(new SchemaError(_path.ToString(), message));

    private void AddAt(string child, string message) => Errors.Add(new SchemaError(_path.Render(child), message));

    private static string ActualType(JsonNode node) => node switch
    {
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => JsonNumbers.Kind(v) switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => JsonNumbers.IsIntegral(v, out _) ? "integer" : "number",
            _ => "null",
        },
        _ => "null",
    };

    private bool CheckType(JsonNode node, SchemaNode s)
    {
        if (s.Type is null && !s.IntOrString)
        {
            return true;
        }

        var actual = ActualType(node);
        var ok = s.IntOrString
            ? actual is "integer" or "string"
            : s.Type == actual || (s.Type == "number" && actual == "integer");
        if (!ok)
        {
            var expected = s.IntOrString ? "integer or string" : s.Type;
            Add($"Invalid value: \"{actual}\": must be of type {expected}: {Render(node)}");
        }

        return ok;
    }

    private void CheckEnum(JsonNode node, SchemaNode s)
    {
        if (s.Enum is null)
        {
            return;
        }

        bool found;
        if (s.StringEnum is not null)
        {
            found = node is JsonValue v && JsonNumbers.Kind(v) == JsonValueKind.String && s.StringEnum.Contains(v.GetValue<string>());
        }
        else
        {
            found = s.Enum.Any(e => JsonNode.DeepEquals(e, node) || (e is JsonValue ev && node is JsonValue nv &&
                JsonNumbers.Kind(ev) == JsonValueKind.Number && JsonNumbers.Kind(nv) == JsonValueKind.Number &&
                JsonNumbers.GetDouble(ev) == JsonNumbers.GetDouble(nv)));
        }

        if (!found)
        {
            var supported = string.Join(", ", s.Enum.Select(e => Quote(e is JsonValue ev && JsonNumbers.Kind(ev) == JsonValueKind.String ? ev.GetValue<string>() : e?.ToJsonString() ?? "null")));
            Add($"Unsupported value: {Render(node)}: supported values: {supported}");
        }
    }

    private void CheckObject(JsonObject obj, SchemaNode s, bool structural)
    {
        List<string>? prunedNulls = null;
        foreach (var (name, value) in obj)
        {
            if (s.Properties is not null && s.Properties.TryGetValue(name, out var prop))
            {
                if (value is null && !prop.Nullable && structural)
                {
                    // The API server prunes nulls of non-nullable fields (that have no default) before validation.
                    (prunedNulls ??= []).Add(name);
                    continue;
                }

                _path.PushField(name);
                Check(value, prop, structural);
                _path.Pop();
            }
            else if (s.AdditionalProperties is { } ap)
            {
                _path.PushKey(name);
                Check(value, ap, structural);
                _path.Pop();
            }
            else if (structural && !s.PreserveUnknownFields && !s.AdditionalPropertiesAllowed)
            {
                var p = _path.Render(name);
                Errors.Add(new SchemaError(p, $"unknown field \"{p}\""));
            }
        }

        foreach (var name in prunedNulls ?? [])
        {
            obj.Remove(name);
        }

        foreach (var req in s.Required)
        {
            if (!obj.TryGetPropertyValue(req, out var v) || v is null)
            {
                AddAt(req, "Required value");
            }
        }

        if (s.MaxProperties is { } maxP && obj.Count > maxP)
        {
            Add($"Too many: {obj.Count}: must have at most {maxP} items");
        }

        if (s.MinProperties is { } minP && obj.Count < minP)
        {
            Add($"Invalid value: {obj.Count}: must have at least {minP} properties");
        }
    }

    private void CheckArray(JsonArray arr, SchemaNode s, bool structural)
    {
        if (s.MaxItems is { } max && arr.Count > max)
        {
            Add($"Too many: {arr.Count}: must have at most {max} items");
        }

        if (s.MinItems is { } min && arr.Count < min)
        {
            Add($"Invalid value: {arr.Count}: must have at least {min} items");
        }

        if (s.Items is { } items)
        {
            for (var i = 0; i < arr.Count; i++)
            {
                _path.PushIndex(i);
                Check(arr[i], items, structural);
                _path.Pop();
            }
        }

        if (s.ListType == "map" && s.ListMapKeys.Count > 0)
        {
            CheckUnique(arr, item => item is JsonObject o ? MapKey(o, s.ListMapKeys) : null);
        }
        else if (s.ListType == "set")
        {
            CheckUnique(arr, item => item?.ToJsonString() ?? "null");
        }
    }

    /// <summary>The list-map key of an item rendered as JSON, e.g. <c>{"name":"http"}</c>.</summary>
    private static string MapKey(JsonObject o, IReadOnlyList<string> keys)
    {
        var sb = new System.Text.StringBuilder("{");
        foreach (var k in keys)
        {
            if (o.TryGetPropertyValue(k, out var v))
            {
                if (sb.Length > 1)
                {
                    sb.Append(',');
                }

                sb.Append(Quote(k)).Append(':').Append(v?.ToJsonString() ?? "null");
            }
        }

        return sb.Append('}').ToString();
    }

    private void CheckUnique(JsonArray arr, Func<JsonNode?, string?> key)
    {
        if (arr.Count < 2)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < arr.Count; i++)
        {
            var k = key(arr[i]);
            if (k is not null && !seen.Add(k))
            {
                _path.PushIndex(i);
                Add($"Duplicate value: {k}");
                _path.Pop();
            }
        }
    }

    private void CheckScalar(JsonValue v, SchemaNode s)
    {
        var kind = JsonNumbers.Kind(v);
        if (kind == JsonValueKind.String)
        {
            var str = v.GetValue<string>();
            // UTF-16 length is an upper bound of the rune count and at most twice it: count runes only when needed.
            if ((s.MaxLength is { } mx && str.Length > mx) || (s.MinLength is { } mn && str.Length < mn * 2))
            {
                var len = RuneCount(str);
                if (s.MaxLength is { } max && len > max)
                {
                    Add($"Invalid value: {Quote(str)}: must be no more than {max} characters");
                }

                if (s.MinLength is { } min && len < min)
                {
                    Add($"Invalid value: {Quote(str)}: must be at least {min} characters");
                }
            }

            if (s.Pattern is { } re && !re.IsMatch(str))
            {
                Add($"Invalid value: {Quote(str)}: should match '{s.PatternSource}'");
            }

            if (s.Format is { } f && !Formats.Check(f, str))
            {
                Add($"Invalid value: {Quote(str)}: must be of type {f}");
            }
        }
        else if (kind == JsonValueKind.Number)
        {
            var d = JsonNumbers.GetDouble(v);
            if (s.Minimum is { } min && (s.ExclusiveMinimum ? d <= min : d < min))
            {
                Add($"Invalid value: {Render(v)}: should be greater than {(s.ExclusiveMinimum ? "" : "or equal to ")}{Num(min)}");
            }

            if (s.Maximum is { } max && (s.ExclusiveMaximum ? d >= max : d > max))
            {
                Add($"Invalid value: {Render(v)}: should be less than {(s.ExclusiveMaximum ? "" : "or equal to ")}{Num(max)}");
            }

            if (s.Format == "int32" && (d < int.MinValue || d > int.MaxValue))
            {
                Add($"Invalid value: {Render(v)}: must be of type int32");
            }
            else if (s.Format == "int64" && (d < long.MinValue || d > long.MaxValue))
            {
                Add($"Invalid value: {Render(v)}: must be of type int64");
            }
        }
    }

    private static int RuneCount(string s)
    {
        var n = 0;
        foreach (var _ in s.EnumerateRunes())
        {
            n++;
        }

        return n;
    }

    private static string Num(double d) => d.ToString(CultureInfo.InvariantCulture);

    /// <summary>Renders a value the way API server messages do: strings quoted, numbers bare, objects as JSON.</summary>
    public static string Render(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue v when JsonNumbers.Kind(v) == JsonValueKind.String => Quote(v.GetValue<string>()),
        _ => node.ToJsonString(),
    };

    public static string Quote(string s) => JsonSerializer.Serialize(s, QuoteOptions);

    private static readonly JsonSerializerOptions QuoteOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
