using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>SecurityPolicy <c>jwt</c>: the providers a token may come from.</summary>
public sealed record JwtSpec
{
    public IReadOnlyList<JwtProviderSpec> Providers { get; init; } = [];
    public bool? Optional { get; init; }
    public bool? FailOpen { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
