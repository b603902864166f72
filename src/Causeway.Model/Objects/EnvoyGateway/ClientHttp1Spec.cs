using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>ClientTrafficPolicy <c>http1</c>: HTTP/1 settings of a listener.</summary>
public sealed record ClientHttp1Spec
{
    public bool? PreserveHeaderCase { get; init; }
    public bool? EnableTrailers { get; init; }
    public ClientHttp10Spec? Http10 { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}

/// <summary>ClientTrafficPolicy <c>http1.http10</c>: HTTP/1.0 requests.</summary>
public sealed record ClientHttp10Spec
{
    public bool? UseDefaultHost { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
