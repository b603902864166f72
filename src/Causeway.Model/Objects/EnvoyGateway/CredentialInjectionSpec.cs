using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>HTTPRouteFilter <c>credentialInjection</c>: a Secret's <c>credential</c> key sent in a request header.</summary>
public sealed record CredentialInjectionSpec
{
    /// <summary>The header; Authorization when unset.</summary>
    public string? Header { get; init; }

    /// <summary>Replace a value the request already has (default false: the request's own value stays).</summary>
    public bool? Overwrite { get; init; }

    public InjectedCredentialSpec Credential { get; init; } = new();

    /// <summary>Fields present in the manifest that Causeway does not model (reported on the routes that use it).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
