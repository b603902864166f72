using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary><c>oidc.provider</c>: the OpenID provider's issuer and the endpoints that override its discovery document.</summary>
public sealed record OidcProviderSpec
{
    public string? Issuer { get; init; }
    public string? AuthorizationEndpoint { get; init; }
    public string? TokenEndpoint { get; init; }
    public string? EndSessionEndpoint { get; init; }

    /// <summary>backendRef(s) and backendSettings (not modelled: the provider is reached at its URLs directly).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
