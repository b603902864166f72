using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record EnvoyHttpRouteFilterSpec
{
    public DirectResponseSpec? DirectResponse { get; init; }
    public UrlRewriteFilterSpec? UrlRewrite { get; init; }
    public CredentialInjectionSpec? CredentialInjection { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported on the routes that use it).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
