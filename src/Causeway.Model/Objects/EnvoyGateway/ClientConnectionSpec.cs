using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>ClientTrafficPolicy <c>connection</c>.</summary>
public sealed record ClientConnectionSpec
{
    public ConnectionLimitSpec? ConnectionLimit { get; init; }

    /// <summary>A size (int or quantity string): bytes buffered per client connection in user space.</summary>
    public JsonElement? BufferLimit { get; init; }

    /// <summary>A size (int or quantity string): the kernel's socket buffers of each client connection.</summary>
    public JsonElement? SocketBufferLimit { get; init; }

    /// <summary>Defaulted to 1 by the CRD (one accept per socket event).</summary>
    public int? MaxAcceptPerSocketEvent { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
