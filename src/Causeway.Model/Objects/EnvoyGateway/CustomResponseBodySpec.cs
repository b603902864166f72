namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>A response body: <c>Inline</c> (default) text, or <c>ValueRef</c> to a ConfigMap's <c>response.body</c>.</summary>
public sealed record CustomResponseBodySpec
{
    public string? Type { get; init; }
    public string? Inline { get; init; }
    public LocalObjectReference? ValueRef { get; init; }
}
