namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>A <c>targetSelectors[]</c> entry: objects of a kind chosen by their labels.</summary>
public sealed record PolicyTargetSelector
{
    public string? Group { get; init; }
    public string Kind { get; init; } = "";
    public IReadOnlyDictionary<string, string> MatchLabels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<LabelSelectorRequirement> MatchExpressions { get; init; } = [];
    public TargetSelectorNamespaces? Namespaces { get; init; }

    /// <summary>The label selector this entry describes.</summary>
    public LabelSelector Selector => new() { MatchLabels = MatchLabels, MatchExpressions = MatchExpressions };
}
