using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>A <c>jwt.providers[]</c> entry.</summary>
public sealed record JwtProviderSpec
{
    public string Name { get; init; } = "";
    public string? Issuer { get; init; }
    public IReadOnlyList<string> Audiences { get; init; } = [];

    [JsonPropertyName("localJWKS")]
    public LocalJwksSpec? LocalJwks { get; init; }

    [JsonPropertyName("remoteJWKS")]
    public RemoteJwksSpec? RemoteJwks { get; init; }
    public IReadOnlyList<ClaimToHeaderSpec> ClaimToHeaders { get; init; } = [];
    public bool? RecomputeRoute { get; init; }
    public JwtExtractFromSpec? ExtractFrom { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
