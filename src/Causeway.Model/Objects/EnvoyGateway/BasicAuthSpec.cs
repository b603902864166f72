using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>SecurityPolicy <c>basicAuth</c>: an <c>.htpasswd</c> Secret and the header naming the user to the backend.</summary>
public sealed record BasicAuthSpec
{
    public SecretObjectReference? Users { get; init; }
    public string? ForwardUsernameHeader { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
