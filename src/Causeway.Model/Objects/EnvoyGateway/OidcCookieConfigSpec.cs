namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary><c>oidc.cookieConfig</c>: the SameSite attribute of the OIDC cookies.</summary>
public sealed record OidcCookieConfigSpec
{
    public string? SameSite { get; init; }
}
