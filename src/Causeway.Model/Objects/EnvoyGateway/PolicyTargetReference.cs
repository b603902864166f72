namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>A <c>targetRef</c>/<c>targetRefs[]</c> entry: a local object, optionally one section of it.</summary>
public sealed record PolicyTargetReference
{
    public string Group { get; init; } = "";
    public string Kind { get; init; } = "";
    public string Name { get; init; } = "";
    public string? SectionName { get; init; }
}
