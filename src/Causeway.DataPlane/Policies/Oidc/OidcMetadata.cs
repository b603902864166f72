using Causeway.DataPlane.Policies.Jwt;

namespace Causeway.DataPlane.Policies.Oidc;

/// <summary>
/// What the provider's discovery document said (endpoints written in the policy win), with its signing keys.
/// </summary>
/// <param name="ClientSecretPost">The token endpoint takes the client's credentials in the form body (it does not offer client_secret_basic).</param>
internal sealed record OidcMetadata(
    string Issuer,
    string AuthorizationEndpoint,
    string TokenEndpoint,
    string? EndSessionEndpoint,
    JwtKeySet? Keys,
    bool ClientSecretPost);
