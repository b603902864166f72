namespace Causeway.Translation.Policies;

/// <summary>
/// What a policy attaches to: an object of the policy's namespace (Gateway, ListenerSet or route), optionally one
/// section of it (a listener name, or a route rule name).
/// </summary>
internal readonly record struct PolicyTarget(string Kind, string Namespace, string Name, string? SectionName)
{
    public PolicyTarget Whole => this with { SectionName = null };

    public override string ToString() => SectionName is null ? $"{Kind} {Namespace}/{Name}" : $"{Kind} {Namespace}/{Name} section {SectionName}";
}
