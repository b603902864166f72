using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>BackendTrafficPolicy <c>spec.dns</c>: how often DNS-named backend endpoints are resolved again.</summary>
public sealed record BackendDnsSpec
{
    public string? DnsRefreshRate { get; init; }
    public bool? RespectDnsTtl { get; init; }
    public string? LookupFamily { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
