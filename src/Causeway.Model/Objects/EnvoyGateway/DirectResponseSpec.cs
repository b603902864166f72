using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>HTTPRouteFilter <c>directResponse</c>: the gateway answers without a backend.</summary>
public sealed record DirectResponseSpec
{
    public int? StatusCode { get; init; }
    public string? ContentType { get; init; }
    public CustomResponseBodySpec? Body { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported on the routes that use it).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
