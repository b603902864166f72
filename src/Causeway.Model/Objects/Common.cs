namespace Causeway.Model.Objects;

/// <summary>A reference to a parent (Gateway or ListenerSet) from a route.</summary>
public sealed record ParentReference
{
    public string? Group { get; init; }
    public string? Kind { get; init; }
    public string? Namespace { get; init; }
    public string Name { get; init; } = "";
    public string? SectionName { get; init; }
    public int? Port { get; init; }
}

public sealed record BackendRef
{
    public string? Group { get; init; }
    public string? Kind { get; init; }
    public string Name { get; init; } = "";
    public string? Namespace { get; init; }
    public int? Port { get; init; }
    public int? Weight { get; init; }
}

public sealed record SecretObjectReference
{
    public string? Group { get; init; }
    public string? Kind { get; init; }
    public string Name { get; init; } = "";
    public string? Namespace { get; init; }
}

public sealed record LocalObjectReference
{
    public string Group { get; init; } = "";
    public string Kind { get; init; } = "";
    public string Name { get; init; } = "";
}

public sealed record ParametersReference
{
    public string Group { get; init; } = "";
    public string Kind { get; init; } = "";
    public string Name { get; init; } = "";
    public string? Namespace { get; init; }
}

public sealed record LabelSelectorRequirement
{
    public string Key { get; init; } = "";
    public string Operator { get; init; } = "";
    public IReadOnlyList<string> Values { get; init; } = [];
}

public sealed record LabelSelector
{
    public IReadOnlyDictionary<string, string> MatchLabels { get; init; } = ObjectMeta.EmptyMap;
    public IReadOnlyList<LabelSelectorRequirement> MatchExpressions { get; init; } = [];

    /// <summary>Kubernetes label-selector semantics (an empty selector matches everything).</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (k, v) in MatchLabels)
            if (!labels.TryGetValue(k, out var actual) || actual != v) return false;
        foreach (var e in MatchExpressions)
        {
            var has = labels.TryGetValue(e.Key, out var actual);
            var ok = e.Operator switch
            {
                "In" => has && e.Values.Contains(actual!),
                "NotIn" => !has || !e.Values.Contains(actual!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok) return false;
        }
        return true;
    }
}

public sealed record HttpHeader
{
    public string Name { get; init; } = "";
    public string Value { get; init; } = "";
}

public sealed record Condition
{
    public string Type { get; init; } = "";
    public string Status { get; init; } = "";
    public string Reason { get; init; } = "";
    public string Message { get; init; } = "";
    public long ObservedGeneration { get; init; }
    public DateTimeOffset LastTransitionTime { get; init; }
}
