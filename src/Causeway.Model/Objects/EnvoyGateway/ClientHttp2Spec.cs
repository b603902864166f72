using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>ClientTrafficPolicy <c>http2</c>: the HTTP/2 settings a listener offers its clients.</summary>
public sealed record ClientHttp2Spec
{
    /// <summary>A quantity (int or string).</summary>
    public JsonElement? InitialStreamWindowSize { get; init; }

    /// <summary>A quantity (int or string).</summary>
    public JsonElement? InitialConnectionWindowSize { get; init; }

    public int? MaxConcurrentStreams { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
