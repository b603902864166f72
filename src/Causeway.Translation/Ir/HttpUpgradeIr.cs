using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>A BackendTrafficPolicy's <c>httpUpgrade</c>: the upgrade types (lower-cased, in the policy's order) a rule forwards.</summary>
public sealed record HttpUpgradeIr
{
    public EquatableArray<string> Types { get; init; } = EquatableArray<string>.Empty;
}
