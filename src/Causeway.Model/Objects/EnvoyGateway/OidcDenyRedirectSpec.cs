namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary><c>oidc.denyRedirect</c>: requests matching any of these headers get 401 instead of a login redirect.</summary>
public sealed record OidcDenyRedirectSpec
{
    public IReadOnlyList<OidcDenyRedirectHeaderSpec> Headers { get; init; } = [];
}
