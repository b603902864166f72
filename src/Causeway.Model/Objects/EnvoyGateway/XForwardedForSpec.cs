using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary><c>clientIPDetection.xForwardedFor</c>.</summary>
public sealed record XForwardedForSpec
{
    public int? NumTrustedHops { get; init; }
    public IReadOnlyList<string>? TrustedCIDRs { get; init; }
    public bool? DisableXForwardedForAppend { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
