using Causeway.Model;
using Causeway.Model.Objects;

namespace Causeway.Translation.Status;

/// <summary>The status the translator decided for one object, as <c>kubectl get -o yaml</c> would show it.</summary>
public sealed record ObjectStatus(ObjectKey Key, long Generation, object Status);

public sealed record GatewayClassStatus
{
    public EquatableArray<Condition> Conditions { get; init; }
    public EquatableArray<SupportedFeature> SupportedFeatures { get; init; }
}

public sealed record SupportedFeature(string Name);

public sealed record GatewayStatusAddress(string Type, string Value);

public sealed record GatewayStatus
{
    public EquatableArray<GatewayStatusAddress> Addresses { get; init; }
    public EquatableArray<Condition> Conditions { get; init; }
    public EquatableArray<ListenerStatus> Listeners { get; init; }
    public int? AttachedListenerSets { get; init; }
}

public sealed record RouteGroupKindStatus(string Group, string Kind);

public sealed record ListenerStatus
{
    public required string Name { get; init; }
    public EquatableArray<RouteGroupKindStatus> SupportedKinds { get; init; }
    public int AttachedRoutes { get; init; }
    public EquatableArray<Condition> Conditions { get; init; }
}

public sealed record ListenerSetStatus
{
    public EquatableArray<Condition> Conditions { get; init; }
    public EquatableArray<ListenerStatus> Listeners { get; init; }
}

public sealed record ParentRefStatus
{
    public string? Group { get; init; }
    public string? Kind { get; init; }
    public string? Namespace { get; init; }
    public required string Name { get; init; }
    public string? SectionName { get; init; }
    public int? Port { get; init; }
}

public sealed record RouteParentStatus
{
    public required ParentRefStatus ParentRef { get; init; }
    public required string ControllerName { get; init; }
    public EquatableArray<Condition> Conditions { get; init; }
}

public sealed record RouteStatus
{
    public EquatableArray<RouteParentStatus> Parents { get; init; }
}

public sealed record PolicyAncestorStatus
{
    public required ParentRefStatus AncestorRef { get; init; }
    public required string ControllerName { get; init; }
    public EquatableArray<Condition> Conditions { get; init; }
}

public sealed record PolicyStatus
{
    public EquatableArray<PolicyAncestorStatus> Ancestors { get; init; }
}
