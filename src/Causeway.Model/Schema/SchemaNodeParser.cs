using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Causeway.Model.Schema.Cel;

namespace Causeway.Model.Schema;

/// <summary>Builds <see cref="SchemaNode"/> trees from <c>openAPIV3Schema</c> JSON, compiling regexes and CEL rules.</summary>
internal sealed class SchemaNodeParser(string kind, string version, ConcurrentDictionary<string, Regex> regexCache)
{
    private static readonly string[] RuleVariables = ["self", "oldSelf"];

    public List<UnsupportedRule> Unsupported { get; } = [];

    public int RuleCount { get; private set; }

    public int TransitionRuleCount { get; private set; }

    public Regex GetRegex(string pattern) => regexCache.GetOrAdd(pattern, Re2Regex.Create);

    public SchemaNode Build(JsonObject s, string path)
    {
        Dictionary<string, SchemaNode>? props = null;
        var subtreeDefaults = false;
        if (s["properties"] is JsonObject p)
        {
            props = new Dictionary<string, SchemaNode>(StringComparer.Ordinal);
            foreach (var (name, child) in p)
            {
                var node = Build((JsonObject)child!, Join(path, name));
                props[name] = node;
                subtreeDefaults |= node.HasDefault || node.SubtreeHasDefaults;
            }
        }

        SchemaNode? items = null;
        if (s["items"] is JsonObject i)
        {
            items = Build(i, path + "[]");
            subtreeDefaults |= items.HasDefault || items.SubtreeHasDefaults;
        }

        SchemaNode? additional = null;
        var additionalAllowed = false;
        switch (s["additionalProperties"])
        {
            case JsonObject a:
                additional = Build(a, path + "[*]");
                subtreeDefaults |= additional.HasDefault || additional.SubtreeHasDefaults;
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.True:
                additionalAllowed = true;
                break;
        }

        IReadOnlyList<JsonNode?>? enumValues = null;
        IReadOnlySet<string>? stringEnum = null;
        if (s["enum"] is JsonArray e)
        {
            enumValues = [.. e.Select(x => x?.DeepClone())];
            if (enumValues.All(x => x is JsonValue jv && JsonNumbers.Kind(jv) == JsonValueKind.String))
            {
                stringEnum = enumValues.Select(x => x!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            }
        }

        var pattern = s["pattern"]?.GetValue<string>();
        return new SchemaNode
        {
            Type = s["type"]?.GetValue<string>(),
            Format = s["format"]?.GetValue<string>(),
            Nullable = Bool(s, "nullable"),
            PreserveUnknownFields = Bool(s, "x-kubernetes-preserve-unknown-fields"),
            IntOrString = Bool(s, "x-kubernetes-int-or-string"),
            EmbeddedResource = Bool(s, "x-kubernetes-embedded-resource"),
            Properties = props,
            DefaultedProperties = props is null ? [] : [.. props.Where(kv => kv.Value.HasDefault && kv.Value.Default is not null)],
            Required = s["required"] is JsonArray r ? [.. r.Select(x => x!.GetValue<string>())] : [],
            Items = items,
            AdditionalProperties = additional,
            AdditionalPropertiesAllowed = additionalAllowed,
            HasDefault = s.ContainsKey("default"),
            Default = s["default"]?.DeepClone(),
            Enum = enumValues,
            StringEnum = stringEnum,
            Minimum = Number(s, "minimum"),
            ExclusiveMinimum = Bool(s, "exclusiveMinimum"),
            Maximum = Number(s, "maximum"),
            ExclusiveMaximum = Bool(s, "exclusiveMaximum"),
            MinLength = Long(s, "minLength"),
            MaxLength = Long(s, "maxLength"),
            MinItems = Long(s, "minItems"),
            MaxItems = Long(s, "maxItems"),
            MinProperties = Long(s, "minProperties"),
            MaxProperties = Long(s, "maxProperties"),
            PatternSource = pattern,
            Pattern = pattern is null ? null : GetRegex(pattern),
            ListType = s["x-kubernetes-list-type"]?.GetValue<string>(),
            ListMapKeys = s["x-kubernetes-list-map-keys"] is JsonArray mk ? [.. mk.Select(x => x!.GetValue<string>())] : [],
            OneOf = BuildAll(s["oneOf"], path),
            AnyOf = BuildAll(s["anyOf"], path),
            AllOf = BuildAll(s["allOf"], path),
            Not = s["not"] is JsonObject n ? Build(n, path) : null,
            Rules = CompileRules(s["x-kubernetes-validations"], path),
            SubtreeHasDefaults = subtreeDefaults,
        };
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private List<SchemaNode>? BuildAll(JsonNode? list, string path) =>
        list is JsonArray a ? [.. a.Select(x => Build((JsonObject)x!, path))] : null;

    private List<CompiledRule> CompileRules(JsonNode? validations, string path)
    {
        var rules = new List<CompiledRule>();
        if (validations is not JsonArray arr)
        {
            return rules;
        }

        foreach (var v in arr.OfType<JsonObject>())
        {
            var rule = v["rule"]?.GetValue<string>() ?? "";
            RuleCount++;
            try
            {
                var (expr, usesOldSelf) = CelParser.Parse(rule, RuleVariables, GetRegex);
                if (usesOldSelf)
                {
                    // Transition rules only run on update; creation-time validation skips them.
                    TransitionRuleCount++;
                    continue;
                }

                CelExpr? messageExpr = null;
                if (v["messageExpression"]?.GetValue<string>() is { } me)
                {
                    messageExpr = CelParser.Parse(me, ["self"], GetRegex).Expr;
                }

                rules.Add(new CompiledRule(
                    rule,
                    expr,
                    v["message"]?.GetValue<string>(),
                    messageExpr,
                    v["fieldPath"]?.GetValue<string>(),
                    v["reason"]?.GetValue<string>()));
            }
            catch (Exception ex) when (ex is CelCompileException or ArgumentException or FormatException or OverflowException)
            {
                Unsupported.Add(new UnsupportedRule(kind, version, path, rule, ex.Message));
            }
        }

        return rules;
    }

    private static bool Bool(JsonObject s, string key) =>
        s[key] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    private static double? Number(JsonObject s, string key) =>
        s[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? JsonNumbers.GetDouble(v) : null;

    private static long? Long(JsonObject s, string key) =>
        s[key] is JsonValue v && JsonNumbers.TryGetInt64(v, out var l) ? l : null;
}
