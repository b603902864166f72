using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>SecurityPolicy <c>apiKeyAuth</c>: Secrets mapping client ids to keys, and where a request carries its key.</summary>
public sealed record ApiKeyAuthSpec
{
    public IReadOnlyList<SecretObjectReference> CredentialRefs { get; init; } = [];
    public IReadOnlyList<ExtractFromSpec> ExtractFrom { get; init; } = [];

    [JsonPropertyName("forwardClientIDHeader")]
    public string? ForwardClientIdHeader { get; init; }
    public bool? Sanitize { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
