using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>BackendTrafficPolicy <c>spec.requestBuffer</c>: buffer each request whole, up to <see cref="Limit"/> (a quantity).</summary>
public sealed record RequestBufferSpec
{
    public JsonElement? Limit { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
