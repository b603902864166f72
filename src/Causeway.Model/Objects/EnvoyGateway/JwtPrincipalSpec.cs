namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>A principal by JWT: the provider that validated the token, claims (all must match) and scopes (all required).</summary>
public sealed record JwtPrincipalSpec
{
    public string Provider { get; init; } = "";
    public IReadOnlyList<JwtClaimSpec> Claims { get; init; } = [];
    public IReadOnlyList<string> Scopes { get; init; } = [];
}
