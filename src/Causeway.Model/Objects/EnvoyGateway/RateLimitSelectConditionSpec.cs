using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record RateLimitSelectConditionSpec
{
    public IReadOnlyList<ValueMatchSpec> Headers { get; init; } = [];
    public IReadOnlyList<MethodMatchSpec> Methods { get; init; } = [];
    public PathMatchSpec? Path { get; init; }
    [JsonPropertyName("sourceCIDR")]
    public SourceMatchSpec? SourceCidr { get; init; }
    public IReadOnlyList<ValueMatchSpec> QueryParams { get; init; } = [];

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
