namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary><c>oidc.cookieNames</c>: names replacing the generated access- and ID-token cookie names.</summary>
public sealed record OidcCookieNamesSpec
{
    public string? AccessToken { get; init; }
    public string? IdToken { get; init; }
}
