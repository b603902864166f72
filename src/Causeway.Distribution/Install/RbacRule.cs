namespace Causeway.Distribution.Install;

/// <summary>
/// One RBAC policy rule (as in a ClusterRole or Role). Resources name subresources as <c>gateways/status</c>.
/// Exposed as data so a test API server can enforce exactly what the install bundle grants.
/// </summary>
public sealed record RbacRule(IReadOnlyList<string> ApiGroups, IReadOnlyList<string> Resources, IReadOnlyList<string> Verbs)
{
    /// <summary>Whether this rule allows <paramref name="verb"/> on <paramref name="resource"/> (with <c>/subresource</c>) in <paramref name="apiGroup"/>.</summary>
    public bool Allows(string apiGroup, string resource, string verb) =>
        (ApiGroups.Contains(apiGroup) || ApiGroups.Contains("*"))
        && (Resources.Contains(resource) || Resources.Contains("*"))
        && (Verbs.Contains(verb) || Verbs.Contains("*"));

    /// <summary>Whether any of <paramref name="rules"/> allows the request.</summary>
    public static bool AnyAllows(IEnumerable<RbacRule> rules, string apiGroup, string resource, string verb) =>
        rules.Any(r => r.Allows(apiGroup, resource, verb));

    internal Dictionary<string, object?> ToYamlMap() => new()
    {
        ["apiGroups"] = ApiGroups.ToList(),
        ["resources"] = Resources.ToList(),
        ["verbs"] = Verbs.ToList(),
    };
}
