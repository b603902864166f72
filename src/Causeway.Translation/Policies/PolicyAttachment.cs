using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Snapshot;

namespace Causeway.Translation.Policies;

/// <summary>
/// Which policy of one kind holds each target, for every Envoy Gateway policy kind alike. Policies are taken oldest
/// first (creationTimestamp, then namespace/name); a target already held by an older policy is a conflict for the
/// newer one. Invalid policies (<paramref name="invalid"/> says why) attach to nothing, so they never take a target
/// from a valid policy. Also answers which policy applies where (most specific scope wins, whole) and remembers
/// which less specific policies that overrode, for their status.
/// </summary>
internal sealed class PolicyAttachment<TPolicy> where TPolicy : KubeObject, ITargetedPolicy
{
    private readonly Dictionary<PolicyTarget, TPolicy> _holders = [];
    private readonly Dictionary<ObjectKey, PolicyAttachmentState> _states = [];

    public PolicyAttachment(IEnumerable<TPolicy> policies, ResourceSnapshot s, IReadOnlySet<string> allowedKinds,
        Func<TPolicy, bool> invalid, Func<string, IReadOnlyDictionary<string, string>> namespaceLabels)
    {
        foreach (var p in policies
            .OrderBy(p => p.Metadata.CreationTimestamp ?? DateTimeOffset.MaxValue)
            .ThenBy(p => p.Namespace, StringComparer.Ordinal)
            .ThenBy(p => p.Name, StringComparer.Ordinal))
        {
            var (targets, problems) = PolicyTargetResolver.Resolve(p, p, s, allowedKinds, namespaceLabels);
            var state = new PolicyAttachmentState(targets, problems);
            _states[p.Key] = state;
            if (problems.Count > 0 || invalid(p)) continue;
            foreach (var (target, _) in targets)
            {
                if (_holders.TryGetValue(target, out var older)) state.ConflictedWith[target] = older.Key;
                else _holders[target] = p;
            }
        }
        Policies = [.. _states.Keys.Order()];
    }

    /// <summary>Every policy of this kind, sorted by key.</summary>
    public IReadOnlyList<ObjectKey> Policies { get; }

    public PolicyAttachmentState State(ObjectKey policy) => _states[policy];

    /// <summary>
    /// The policy that applies given the candidate targets, most specific first: the first held target wins, and the
    /// holders of less specific Gateway/ListenerSet targets are overridden for <paramref name="routeKey"/>. When the
    /// winner sets <c>mergeType</c> (and targets this route), the closest Gateway/ListenerSet holder after it is its
    /// <paramref name="parent"/> instead: merged, not overridden (the caller records the outcome: <see cref="Merged"/>).
    /// </summary>
    public (TPolicy Policy, PolicyTarget Target)? Effective(ReadOnlySpan<PolicyTarget> candidates, string routeKey, out (TPolicy Policy, PolicyTarget Target)? parent)
    {
        parent = null;
        (TPolicy, PolicyTarget)? winner = null;
        foreach (var t in candidates)
        {
            if (!_holders.TryGetValue(t, out var holder)) continue;
            if (winner is null) winner = (holder, t);
            else if (!ReferenceEquals(holder, winner.Value.Item1) && t.Kind is "Gateway" or "ListenerSet")
            {
                if (parent is null && winner.Value.Item1.MergeType is not null && winner.Value.Item2.Kind is not ("Gateway" or "ListenerSet"))
                {
                    parent = (holder, t);
                }
                else if (!ReferenceEquals(holder, parent?.Policy)) _states[holder.Key].OverriddenFor(t).Add(routeKey); // a parent's policy overridden for this route
            }
        }
        return winner;
    }

    /// <summary>
    /// Records what became of a merge <see cref="Effective"/> proposed: the route policy merged with its parent, or (the
    /// merge did not compile) the parent overridden for <paramref name="routeKey"/> like any other.
    /// </summary>
    public void Merged(TPolicy route, (TPolicy Policy, PolicyTarget Target) parent, string routeKey, bool merged)
    {
        if (merged) _states[route.Key].MergedWith.Add($"{parent.Policy.Namespace}/{parent.Policy.Name}");
        else _states[parent.Policy.Key].OverriddenFor(parent.Target).Add(routeKey);
    }
}
