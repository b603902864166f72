using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>Authorization: the first rule that matches decides, else <see cref="DefaultAllow"/>.</summary>
public sealed record AuthorizationIr
{
    public EquatableArray<AuthorizationRuleIr> Rules { get; init; } = EquatableArray<AuthorizationRuleIr>.Empty;

    /// <summary>What happens when no rule matches (Envoy Gateway's default: deny).</summary>
    public bool DefaultAllow { get; init; }
}
