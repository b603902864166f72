using System.Text.Json.Nodes;
using Causeway.Model.Schema;

namespace Causeway.Model.Loading;

/// <summary>Validates Gateway API objects with the CRDs' schemas and CEL rules, as the API server would.</summary>
public sealed class CrdObjectValidator(SchemaValidator validator) : IObjectValidator
{
    /// <summary>The validator for the experimental channel (a superset of standard).</summary>
    public static CrdObjectValidator Default { get; } = new(SchemaValidator.Default);

    public IReadOnlyList<(string Path, string Message)> Validate(JsonObject body, string group, string version, string kind) =>
        [.. validator.Validate(body, group, version, kind).Select(e => (e.Path, e.Message))];
}
