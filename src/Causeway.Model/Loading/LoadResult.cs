using System.Text.Json.Nodes;
using Causeway.Model.Objects;

namespace Causeway.Model.Loading;

public enum Severity { Error, Warning }

/// <summary>A problem with the input: <c>FILE:LINE: Kind namespace/name: field.path: message</c>.</summary>
public sealed record LoadDiagnostic(Severity Severity, string File, int Line, string? Object, string? Field, string Message)
{
    public override string ToString()
    {
        var s = $"{File}:{Line}: ";
        if (Object is not null) s += Object + ": ";
        if (!string.IsNullOrEmpty(Field)) s += Field + ": ";
        return s + Message;
    }
}

/// <summary>A document of a kind Causeway does not read (e.g. a Deployment), kept for tools such as the conformance harness.</summary>
public sealed record RawDocument(string ApiVersion, string Kind, JsonObject Body, SourceLocation Source);

public sealed record LoadResult(
    IReadOnlyList<KubeObject> Objects,
    IReadOnlyList<LoadDiagnostic> Errors,
    IReadOnlyList<LoadDiagnostic> Warnings,
    IReadOnlyList<RawDocument> Skipped)
{
    public bool Ok => Errors.Count == 0;
}

/// <summary>Checks a Gateway API object as the API server would (CRD schema, defaults, CEL rules).</summary>
public interface IObjectValidator
{
    /// <summary>Validates and defaults <paramref name="body"/> in place; returns (field path, message) pairs.</summary>
    IReadOnlyList<(string Path, string Message)> Validate(JsonObject body, string group, string version, string kind);
}
