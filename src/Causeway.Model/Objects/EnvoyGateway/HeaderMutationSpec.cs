using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>
/// Envoy Gateway's HTTPHeaderFilter as a ClientTrafficPolicy uses it (<c>headers.earlyRequestHeaders</c>,
/// <c>headers.lateResponseHeaders</c>): Gateway API's set/add/remove plus <c>addIfAbsent</c> and <c>removeOnMatch</c>.
/// </summary>
public sealed record HeaderMutationSpec
{
    public IReadOnlyList<HttpHeader> Set { get; init; } = [];
    public IReadOnlyList<HttpHeader> Add { get; init; } = [];
    public IReadOnlyList<HttpHeader> AddIfAbsent { get; init; } = [];
    public IReadOnlyList<string> Remove { get; init; } = [];

    /// <summary>Name matchers (Exact, Prefix, Suffix, RegularExpression); not served by Causeway yet.</summary>
    public IReadOnlyList<StringMatchSpec> RemoveOnMatch { get; init; } = [];

    /// <summary>Fields present in the manifest that Causeway does not model (reported in the policy's status).</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
