using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record RateLimitRuleSpec
{
    public IReadOnlyList<RateLimitSelectConditionSpec> ClientSelectors { get; init; } = [];
    public RateLimitValueSpec Limit { get; init; } = new();
    public bool? Shared { get; init; }
    public bool? ShadowMode { get; init; }
    public string? XRateLimitHeaders { get; init; }
    public JsonElement? Cost { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
