using System.Text.Json;
using System.Text.Json.Serialization;

namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>
/// Envoy Gateway's <c>BackendTrafficPolicy</c> (gateway.envoyproxy.io/v1alpha1) as written: how the gateway talks to
/// the backends of the routes (or the Gateway) it targets.
/// </summary>
public sealed record BackendTrafficPolicy : KubeObject, ITargetedPolicy
{
    public BackendTrafficPolicySpec Spec { get; init; } = new();

    [JsonIgnore]
    public PolicyTargetReference? TargetRef => Spec.TargetRef;

    [JsonIgnore]
    public IReadOnlyList<PolicyTargetReference> TargetRefs => Spec.TargetRefs;

    [JsonIgnore]
    public IReadOnlyList<PolicyTargetSelector> TargetSelectors => Spec.TargetSelectors;

    [JsonIgnore]
    public string? MergeType => Spec.MergeType;
}
