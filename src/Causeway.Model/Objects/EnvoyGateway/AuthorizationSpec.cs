using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>SecurityPolicy <c>authorization</c>: ordered rules, first match wins, else the default action.</summary>
public sealed record AuthorizationSpec
{
    public IReadOnlyList<AuthorizationRuleSpec> Rules { get; init; } = [];

    /// <summary><c>Allow</c> or <c>Deny</c> (Envoy Gateway's default).</summary>
    public string? DefaultAction { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
