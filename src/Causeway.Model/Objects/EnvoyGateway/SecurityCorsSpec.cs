using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>SecurityPolicy <c>cors</c>.</summary>
public sealed record SecurityCorsSpec
{
    public IReadOnlyList<string> AllowOrigins { get; init; } = [];
    public IReadOnlyList<string> AllowMethods { get; init; } = [];
    public IReadOnlyList<string> AllowHeaders { get; init; } = [];
    public IReadOnlyList<string> ExposeHeaders { get; init; } = [];

    /// <summary>A duration such as <c>10s</c> or <c>1h</c>.</summary>
    public string? MaxAge { get; init; }
    public bool? AllowCredentials { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
