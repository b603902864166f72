using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>SecurityPolicy <c>oidc</c>: OpenID Connect login (authorization code flow) in front of the route.</summary>
public sealed record OidcSpec
{
    public OidcProviderSpec? Provider { get; init; }

    [JsonPropertyName("clientID")]
    public string? ClientId { get; init; }

    [JsonPropertyName("clientIDRef")]
    public SecretObjectReference? ClientIdRef { get; init; }

    public SecretObjectReference? ClientSecret { get; init; }
    public IReadOnlyList<string> Scopes { get; init; } = [];
    public IReadOnlyList<string> Resources { get; init; } = [];

    [JsonPropertyName("redirectURL")]
    public string? RedirectUrl { get; init; }

    public string? LogoutPath { get; init; }
    public bool? ForwardAccessToken { get; init; }

    [JsonPropertyName("forwardIDToken")]
    public OidcForwardIdTokenSpec? ForwardIdToken { get; init; }

    public string? DefaultTokenTTL { get; init; }
    public bool? RefreshToken { get; init; }
    public string? DefaultRefreshTokenTTL { get; init; }

    [JsonPropertyName("csrfTokenTTL")]
    public string? CsrfTokenTtl { get; init; }

    public OidcCookieNamesSpec? CookieNames { get; init; }
    public string? CookieDomain { get; init; }
    public OidcCookieConfigSpec? CookieConfig { get; init; }
    public bool? PassThroughAuthHeader { get; init; }
    public OidcDenyRedirectSpec? DenyRedirect { get; init; }
    public bool? DisableTokenEncryption { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
