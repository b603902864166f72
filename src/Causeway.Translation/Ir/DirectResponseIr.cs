namespace Causeway.Translation.Ir;

/// <summary>An answer of the gateway's own (Envoy Gateway HTTPRouteFilter <c>directResponse</c>).</summary>
public sealed record DirectResponseIr
{
    public int Status { get; init; } = 200;

    /// <summary>The body (inline, or read from a ConfigMap's <c>response.body</c> at translation); null: none.</summary>
    public string? Body { get; init; }

    /// <summary>The Content-Type of the body; null: <c>text/plain</c> when there is a body.</summary>
    public string? ContentType { get; init; }
}
