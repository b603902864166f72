namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>Which namespaces a target selector looks in: <c>Same</c> (default), <c>All</c> or <c>Selector</c>.</summary>
public sealed record TargetSelectorNamespaces
{
    public string? From { get; init; }
    public LabelSelector? Selector { get; init; }
}
