using Causeway.Distribution.Install;

namespace Causeway.Testing.KubeApi;

/// <summary>
/// What the install bundle grants the controller: its ClusterRole's rules everywhere, and its Role's rules in its own
/// namespace only (a RoleBinding there).
/// </summary>
public sealed record RbacPolicy(IReadOnlyList<RbacRule> ClusterRules, IReadOnlyList<RbacRule> NamespaceRules, string ControllerNamespace)
{
    public static RbacPolicy FromInstallBundle(string ns = InstallBundle.DefaultNamespace) =>
        new(InstallBundle.ControllerRules, InstallBundle.ControllerNamespaceRules, ns);

    /// <summary>Whether the controller may <paramref name="verb"/> <paramref name="resource"/> (a namespaced request names <paramref name="ns"/>).</summary>
    public bool Allows(string group, string resource, string verb, string? ns) =>
        RbacRule.AnyAllows(ClusterRules, group, resource, verb)
        || (ns == ControllerNamespace && RbacRule.AnyAllows(NamespaceRules, group, resource, verb));
}
