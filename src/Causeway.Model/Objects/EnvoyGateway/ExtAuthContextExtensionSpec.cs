namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>One <c>extAuth.contextExtensions</c> entry: a name and an inline value or a ConfigMap/Secret key.</summary>
public sealed record ExtAuthContextExtensionSpec
{
    public string Name { get; init; } = "";
    public string? Type { get; init; }
    public string? Value { get; init; }
    public ExtAuthValueRef? ValueRef { get; init; }
}
