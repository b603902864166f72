using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>Who a rule is about: client CIDRs, JWT claims/scopes, headers (all given must match).</summary>
public sealed record AuthorizationPrincipalSpec
{
    [JsonPropertyName("clientCIDRs")]
    public IReadOnlyList<string> ClientCidrs { get; init; } = [];
    public JwtPrincipalSpec? Jwt { get; init; }
    public IReadOnlyList<AuthorizationHeaderSpec> Headers { get; init; } = [];

    /// <summary>clientIPGeoLocations and anything newer (reported, not honoured).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
