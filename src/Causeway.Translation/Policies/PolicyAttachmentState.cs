using Causeway.Model.Objects;

namespace Causeway.Translation.Policies;

/// <summary>What attachment decided for one policy: its targets, the ones an older policy holds, where it is overridden.</summary>
internal sealed class PolicyAttachmentState(List<(PolicyTarget Target, string Field)> targets, List<string> problems)
{
    public List<(PolicyTarget Target, string Field)> Targets { get; } = targets;

    /// <summary>Target references this policy may not make (a kind it cannot target), each naming its field.</summary>
    public List<string> Problems { get; } = problems;

    /// <summary>Targets an older policy of the same kind already holds, with that policy.</summary>
    public Dictionary<PolicyTarget, ObjectKey> ConflictedWith { get; } = [];

    /// <summary>Per held target, the routes (<c>ns/name</c>) where a more specific policy applies instead.</summary>
    public Dictionary<PolicyTarget, SortedSet<string>> Overridden { get; } = [];

    /// <summary>The parent policies (<c>ns/name</c>) this route policy's <c>mergeType</c> merged it with somewhere.</summary>
    public SortedSet<string> MergedWith { get; } = new(StringComparer.Ordinal);

    public SortedSet<string> OverriddenFor(PolicyTarget target)
    {
        if (!Overridden.TryGetValue(target, out var set)) Overridden[target] = set = new SortedSet<string>(StringComparer.Ordinal);
        return set;
    }
}
