using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>ClientTrafficPolicy <c>path</c>: how the client's path is normalized before routing.</summary>
public sealed record ClientPathSpec
{
    public string? EscapedSlashesAction { get; init; }
    public bool? DisableMergeSlashes { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
