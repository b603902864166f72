using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>BackendTrafficPolicy <c>spec.connection</c>: backend connection settings (<c>bufferLimit</c> is a quantity).</summary>
public sealed record BackendConnectionSpec
{
    public JsonElement? BufferLimit { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
