using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>
/// SecurityPolicy <c>oidc</c>, resolved: the provider's issuer and the endpoints written in the policy (the data plane
/// fetches <c>{issuer}/.well-known/openid-configuration</c> for the rest), the client credentials, the cookie names and
/// attributes, and the flow's settings. <see cref="ClientSecret"/> and <see cref="CookieKey"/> are secrets.
/// </summary>
public sealed record OidcIr
{
    /// <summary><c>namespace/name</c> of the policy (state keys, metrics, the derived cookie key).</summary>
    public required string Policy { get; init; }

    public required string Issuer { get; init; }

    /// <summary>Endpoints written in the policy; null: taken from the discovery document.</summary>
    public string? AuthorizationEndpoint { get; init; }

    public string? TokenEndpoint { get; init; }

    public string? EndSessionEndpoint { get; init; }

    public required string ClientId { get; init; }

    public required SecretText ClientSecret { get; init; }

    /// <summary>The key session cookies are sealed with (the client secret Secret's <c>hmac-secret</c>), or null: derived from the client secret and the policy.</summary>
    public SecretText? CookieKey { get; init; }

    /// <summary>Scopes asked for, <c>openid</c> first.</summary>
    public EquatableArray<string> Scopes { get; init; } = EquatableArray<string>.Empty;

    /// <summary>RFC 8707 resource indicators sent with the authorization and token requests.</summary>
    public EquatableArray<string> Resources { get; init; } = EquatableArray<string>.Empty;

    /// <summary>The redirect URL, possibly with <c>%REQ(x-forwarded-proto)%</c> and <c>%REQ(:authority)%</c> filled per request.</summary>
    public required string RedirectUrl { get; init; }

    public required string LogoutPath { get; init; }

    public bool ForwardAccessToken { get; init; }

    /// <summary>The header carrying the ID token to the backend (<c>Authorization</c>: as a bearer token), or null.</summary>
    public string? ForwardIdTokenHeader { get; init; }

    /// <summary>Token lifetime when the token response has no <c>expires_in</c> (zero: such a response fails the login).</summary>
    public TimeSpan DefaultTokenTtl { get; init; }

    public bool RefreshToken { get; init; } = true;

    public TimeSpan DefaultRefreshTokenTtl { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How long a login started (state, nonce, PKCE verifier) may take to come back to the callback.</summary>
    public TimeSpan CsrfTokenTtl { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The suffix of the generated cookie names (from the policy's name: stable across reloads and processes).</summary>
    public required string CookieSuffix { get; init; }

    public required string AccessTokenCookie { get; init; }

    public required string IdTokenCookie { get; init; }

    public string? CookieDomain { get; init; }

    /// <summary><c>Lax</c>, <c>Strict</c>, <c>None</c>, or null (no SameSite attribute).</summary>
    public string? SameSite { get; init; }

    /// <summary>Requests carrying a token the policy's JWT providers read go on to JWT validation without a login.</summary>
    public bool PassThroughAuthHeader { get; init; }

    /// <summary>Requests matching any of these get 401 instead of a redirect to the provider.</summary>
    public EquatableArray<OidcHeaderMatchIr> DenyRedirect { get; init; } = EquatableArray<OidcHeaderMatchIr>.Empty;
}
