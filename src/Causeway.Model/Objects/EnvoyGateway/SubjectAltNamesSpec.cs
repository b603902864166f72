using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>ClientTrafficPolicy <c>tls.clientValidation.subjectAltNames</c>: matchers per SAN kind.</summary>
public sealed record SubjectAltNamesSpec
{
    public IReadOnlyList<SanMatchSpec>? DnsNames { get; init; }
    public IReadOnlyList<SanMatchSpec>? EmailAddresses { get; init; }
    public IReadOnlyList<SanMatchSpec>? IpAddresses { get; init; }
    public IReadOnlyList<SanMatchSpec>? Uris { get; init; }
    public IReadOnlyList<SanMatchSpec>? OtherNames { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
