using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Upstream.Balancing;

/// <summary>
/// The rule's endpoint choice under a BackendTrafficPolicy (<c>loadBalancer</c>, <c>healthCheck.passive</c>): the
/// per-target <see cref="EndpointBalancer"/>s every transport calls through <see cref="RoutePlan.Balancer"/>. Every
/// transport runs it, except hashing by a cookie the gateway may have to set, which only the Kestrel pipeline writes.
/// </summary>
internal sealed class LoadBalancerStep(LoadBalancerIr loadBalancer, PassiveHealthIr? passive, string description) : PipelineStep
{
    public LoadBalancerIr LoadBalancer { get; } = loadBalancer;
    public PassiveHealthIr? Passive { get; } = passive;

    public override StepStage Stage => StepStage.Upstream;

    public override TransportSet Transports =>
        LoadBalancer is { Kind: LoadBalancerKind.ConsistentHash, HashOn: HashSourceKind.Cookie } ? TransportSet.Kestrel : TransportSet.All;

    public override bool UsesPolicyState => true;

    public override string Describe() => "load-balancer " + description;
}
