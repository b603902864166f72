using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>
/// Envoy Gateway's <c>SecurityPolicy</c> (gateway.envoyproxy.io/v1alpha1) as written: CORS, authentication (basic,
/// API key, JWT) and authorization for the Gateways, listeners and routes it targets.
/// </summary>
public sealed record SecurityPolicy : KubeObject, ITargetedPolicy
{
    public SecurityPolicySpec Spec { get; init; } = new();

    [JsonIgnore]
    public PolicyTargetReference? TargetRef => Spec.TargetRef;

    [JsonIgnore]
    public IReadOnlyList<PolicyTargetReference> TargetRefs => Spec.TargetRefs;

    [JsonIgnore]
    public IReadOnlyList<PolicyTargetSelector> TargetSelectors => Spec.TargetSelectors;

    [JsonIgnore]
    public string? MergeType => Spec.MergeType;
}
