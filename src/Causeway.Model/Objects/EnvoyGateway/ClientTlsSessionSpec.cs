using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>ClientTrafficPolicy <c>tls.session</c>: TLS session resumption.</summary>
public sealed record ClientTlsSessionSpec
{
    public ClientTlsResumptionSpec? Resumption { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}

/// <summary>ClientTrafficPolicy <c>tls.session.resumption</c>: stateful (session IDs) and/or stateless (tickets).</summary>
public sealed record ClientTlsResumptionSpec
{
    public JsonElement? Stateful { get; init; }
    public JsonElement? Stateless { get; init; }
}
