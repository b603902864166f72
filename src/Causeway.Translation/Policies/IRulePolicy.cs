using Causeway.Translation.Ir;

namespace Causeway.Translation.Policies;

/// <summary>A policy compiled once for the rules it reaches: what is wrong with it, and what it does to a rule.</summary>
internal interface IRulePolicy
{
    /// <summary>Reject the policy whole (Accepted=False).</summary>
    IReadOnlyList<string> Errors { get; }

    /// <summary>Fields it sets that Causeway does not honour yet (the rest applies).</summary>
    IReadOnlyList<string> Warnings { get; }

    /// <summary>The rule with the policy applied.</summary>
    HttpRuleIr Apply(HttpRuleIr rule);
}
