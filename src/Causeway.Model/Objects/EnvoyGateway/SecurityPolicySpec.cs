using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record SecurityPolicySpec
{
    /// <summary>Deprecated single target.</summary>
    public PolicyTargetReference? TargetRef { get; init; }
    public IReadOnlyList<PolicyTargetReference> TargetRefs { get; init; } = [];
    public IReadOnlyList<PolicyTargetSelector> TargetSelectors { get; init; } = [];
    public string? MergeType { get; init; }
    public SecurityCorsSpec? Cors { get; init; }
    public BasicAuthSpec? BasicAuth { get; init; }
    public ApiKeyAuthSpec? ApiKeyAuth { get; init; }
    public JwtSpec? Jwt { get; init; }
    public AuthorizationSpec? Authorization { get; init; }
    public ExtAuthSpec? ExtAuth { get; init; }
    public OidcSpec? Oidc { get; init; }
    public CsrfSpec? Csrf { get; init; }

    /// <summary>Fields present in the manifest that Causeway does not model, reported in the policy's status.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}

/// <summary>SecurityPolicy <c>csrf</c>: the Origin of mutating requests checked against the destination.</summary>
public sealed record CsrfSpec
{
    public IReadOnlyList<string>? AdditionalOrigins { get; init; }
    public SamplingFraction? ShadowFraction { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Unmodelled { get; init; }
}
