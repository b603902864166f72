using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record RateLimitSpec
{
    /// <summary><c>Local</c> or <c>Global</c> (deprecated: inferred from which of local/global is set; both may be set).</summary>
    public string? Type { get; init; }
    public LocalRateLimitSpec? Local { get; init; }

    /// <summary>Global limits (counted across every proxy replica); the same rule shape as <see cref="Local"/>.</summary>
    public LocalRateLimitSpec? Global { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
