using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary><c>remoteJWKS</c>: where the key set is fetched from, and how long it is cached.</summary>
public sealed record RemoteJwksSpec
{
    public string? Uri { get; init; }
    public string? CacheDuration { get; init; }
    public string? FailedRefetchDuration { get; init; }

    /// <summary>backendRef(s) and backendSettings (not modelled: fetching through a backend is not supported yet).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
