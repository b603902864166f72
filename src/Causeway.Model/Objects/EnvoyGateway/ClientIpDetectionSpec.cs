using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary><c>clientIPDetection</c>: where the original client address of a request is read from.</summary>
public sealed record ClientIpDetectionSpec
{
    public XForwardedForSpec? XForwardedFor { get; init; }
    public CustomHeaderSpec? CustomHeader { get; init; }
    public JsonElement? DirectSourceIP { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
