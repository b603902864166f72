using System.Text.Json.Nodes;

namespace Causeway.Model.Schema;

/// <summary>
/// Validates Gateway API objects against their CRD's OpenAPI v3 schema the way the Kubernetes API server does on
/// create: structural defaulting, then OpenAPI validation (types, formats, enums, limits, patterns, list types,
/// strict unknown-field detection) and the CEL <c>x-kubernetes-validations</c> rules (transition rules that use
/// <c>oldSelf</c> are skipped). <c>metadata</c> and <c>status</c> are not validated (the API server validates
/// metadata separately and drops status on create). Thread-safe.
/// </summary>
public sealed class SchemaValidator(CrdSchemaSet schemas)
{
    private static readonly Lazy<SchemaValidator> DefaultInstance = new(() => new SchemaValidator(CrdSchemaSet.Experimental));

    /// <summary>A validator over the shared experimental-channel CRDs (a superset of standard).</summary>
    public static SchemaValidator Default => DefaultInstance.Value;

    public CrdSchemaSet Schemas { get; } = schemas;

    /// <summary>
    /// Validates <paramref name="obj"/> (a whole object: apiVersion, kind, metadata, spec, ...) as
    /// <paramref name="group"/>/<paramref name="version"/> <paramref name="kind"/>. MUTATES <paramref name="obj"/>:
    /// schema defaults are applied (and nulls of non-nullable fields are pruned) exactly as the API server does.
    /// </summary>
    /// <returns>The errors, in document order; empty when valid.</returns>
    public IReadOnlyList<SchemaError> Validate(JsonObject obj, string group, string version, string kind)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var root = Schemas.GetSchema(group, version, kind);
        if (root is null)
        {
            var gv = group.Length == 0 ? version : $"{group}/{version}";
            return [new SchemaError("", $"no matches for kind \"{kind}\" in version \"{gv}\"")];
        }

        SchemaDefaulter.Apply(obj, root);

        var checker = new SchemaChecker();
        checker.Check(obj, root);
        return checker.Errors;
    }
}
