using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Causeway.Model.Schema;

/// <summary>A precompiled node of a CRD's structural OpenAPI v3 schema.</summary>
internal sealed class SchemaNode
{
    public string? Type { get; init; }

    public string? Format { get; init; }

    public bool Nullable { get; init; }

    public bool PreserveUnknownFields { get; init; }

    public bool IntOrString { get; init; }

    public bool EmbeddedResource { get; init; }

    public IReadOnlyDictionary<string, SchemaNode>? Properties { get; init; }

    /// <summary>The properties that declare a non-null <c>default</c> (precomputed for defaulting).</summary>
    public IReadOnlyList<KeyValuePair<string, SchemaNode>> DefaultedProperties { get; init; } = [];

    public IReadOnlyList<string> Required { get; init; } = [];

    public SchemaNode? Items { get; init; }

    /// <summary>Schema for map values (<c>additionalProperties: {schema}</c>).</summary>
    public SchemaNode? AdditionalProperties { get; init; }

    /// <summary><c>additionalProperties: true</c>: any extra field is allowed and not validated.</summary>
    public bool AdditionalPropertiesAllowed { get; init; }

    public JsonNode? Default { get; init; }

    public bool HasDefault { get; init; }

    public IReadOnlyList<JsonNode?>? Enum { get; init; }

    /// <summary>Fast path for all-string enums.</summary>
    public IReadOnlySet<string>? StringEnum { get; init; }

    public double? Minimum { get; init; }

    public bool ExclusiveMinimum { get; init; }

    public double? Maximum { get; init; }

    public bool ExclusiveMaximum { get; init; }

    public long? MinLength { get; init; }

    public long? MaxLength { get; init; }

    public long? MinItems { get; init; }

    public long? MaxItems { get; init; }

    public long? MinProperties { get; init; }

    public long? MaxProperties { get; init; }

    public Regex? Pattern { get; init; }

    public string? PatternSource { get; init; }

    public string? ListType { get; init; }

    public IReadOnlyList<string> ListMapKeys { get; init; } = [];

    public IReadOnlyList<SchemaNode>? OneOf { get; init; }

    public IReadOnlyList<SchemaNode>? AnyOf { get; init; }

    public IReadOnlyList<SchemaNode>? AllOf { get; init; }

    public SchemaNode? Not { get; init; }

    public IReadOnlyList<CompiledRule> Rules { get; init; } = [];

    /// <summary>Whether this node or any descendant declares a default (lets defaulting skip whole subtrees).</summary>
    public bool SubtreeHasDefaults { get; init; }
}
