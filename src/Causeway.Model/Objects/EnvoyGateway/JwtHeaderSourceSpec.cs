namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>A header a JWT is read from, e.g. <c>Authorization</c> with prefix <c>Bearer </c>.</summary>
public sealed record JwtHeaderSourceSpec
{
    public string Name { get; init; } = "";
    public string? ValuePrefix { get; init; }
}
