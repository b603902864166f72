using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record HashCookieSpec
{
    public string Name { get; init; } = "";
    public string? Ttl { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
