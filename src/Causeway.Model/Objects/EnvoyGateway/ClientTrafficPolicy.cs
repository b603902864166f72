using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>
/// Envoy Gateway's <c>ClientTrafficPolicy</c> (gateway.envoyproxy.io/v1alpha1) as written: how the gateway's listeners
/// (a Gateway, one of its listeners by sectionName, or a ListenerSet) treat their clients.
/// </summary>
public sealed record ClientTrafficPolicy : KubeObject, ITargetedPolicy
{
    public ClientTrafficPolicySpec Spec { get; init; } = new();

    [JsonIgnore]
    public PolicyTargetReference? TargetRef => Spec.TargetRef;

    [JsonIgnore]
    public IReadOnlyList<PolicyTargetReference> TargetRefs => Spec.TargetRefs;

    [JsonIgnore]
    public IReadOnlyList<PolicyTargetSelector> TargetSelectors => Spec.TargetSelectors;
}
