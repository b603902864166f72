namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>A principal header: the request matches when the header has one of the values.</summary>
public sealed record AuthorizationHeaderSpec
{
    public string Name { get; init; } = "";
    public IReadOnlyList<string> Values { get; init; } = [];
}
