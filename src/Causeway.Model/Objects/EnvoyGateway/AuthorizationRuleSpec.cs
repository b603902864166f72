using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>An <c>authorization.rules[]</c> entry.</summary>
public sealed record AuthorizationRuleSpec
{
    public string? Name { get; init; }

    /// <summary><c>Allow</c> or <c>Deny</c>.</summary>
    public string Action { get; init; } = "";
    public AuthorizationPrincipalSpec? Principal { get; init; }
    public AuthorizationOperationSpec? Operation { get; init; }

    /// <summary>cel and anything newer (reported, not honoured).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
