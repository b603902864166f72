namespace Causeway.Translation.Ir;

public enum LoadBalancerKind
{
    RoundRobin,
    Random,
    LeastRequest,
    ConsistentHash,
}
