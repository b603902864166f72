using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>ClientTrafficPolicy <c>headers</c>.</summary>
public sealed record ClientHeaderSettingsSpec
{
    public string? RequestID { get; init; }
    public bool? PreserveXRequestID { get; init; }
    public string? WithUnderscoresAction { get; init; }
    public bool? EnableEnvoyHeaders { get; init; }
    public XForwardedClientCertSpec? XForwardedClientCert { get; init; }

    /// <summary>Edits of every request before anything else looks at it (routing included).</summary>
    public HeaderMutationSpec? EarlyRequestHeaders { get; init; }

    /// <summary>Edits of every response the listener sends, after everything else.</summary>
    public HeaderMutationSpec? LateResponseHeaders { get; init; }

    /// <summary>A quantity (int or string).</summary>
    public JsonElement? MaxRequestHeaderLimit { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
