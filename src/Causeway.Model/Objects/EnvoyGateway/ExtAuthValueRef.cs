namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>A key of a ConfigMap or Secret in the policy's namespace.</summary>
public sealed record ExtAuthValueRef
{
    public string? Group { get; init; }
    public string Kind { get; init; } = "";
    public string Name { get; init; } = "";
    public string Key { get; init; } = "";
}
