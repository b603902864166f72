using Causeway.Translation.Ir;

namespace Causeway.Translation.Policies;

/// <summary>
/// A SecurityPolicy checked and turned into IR once per translation. <see cref="Errors"/> make it invalid: the rules
/// it reaches then answer 500 (failing closed, as Envoy Gateway does) rather than going unprotected;
/// <see cref="Warnings"/> name fields it sets that Causeway does not honour yet (the rest applies).
/// </summary>
internal sealed record CompiledSecurityPolicy : IRulePolicy
{
    public required SecurityPolicyIr Ir { get; init; }
    public IReadOnlyList<string> Errors { get; init; } = [];
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The rule with this policy applied (or answering 500 when the policy is invalid).</summary>
    public HttpRuleIr Apply(HttpRuleIr rule) => Errors.Count > 0
        ? rule with { Security = new SecurityPolicyIr { Policy = Ir.Policy }, DirectResponseStatus = 500 }
        : rule with { Security = Ir };
}
