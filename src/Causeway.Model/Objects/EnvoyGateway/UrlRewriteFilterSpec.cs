using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>HTTPRouteFilter <c>urlRewrite</c>: path regex substitution and hostname rewrite.</summary>
public sealed record UrlRewriteFilterSpec
{
    public HttpPathModifierSpec? Path { get; init; }
    public HttpHostnameModifierSpec? Hostname { get; init; }
    public bool? AppendXForwardedHost { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model (reported on the routes that use it).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
