namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>
/// What every Envoy Gateway policy kind shares for attachment: <c>targetRefs</c>, the deprecated <c>targetRef</c>
/// and <c>targetSelectors</c>.
/// </summary>
public interface ITargetedPolicy
{
    PolicyTargetReference? TargetRef { get; }

    IReadOnlyList<PolicyTargetReference> TargetRefs { get; }

    IReadOnlyList<PolicyTargetSelector> TargetSelectors { get; }

    /// <summary><c>spec.mergeType</c> (StrategicMerge, JSONMerge) of the kinds that have one; null: no merging.</summary>
    string? MergeType => null;
}
