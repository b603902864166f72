using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.Authorization;

/// <summary>
/// SecurityPolicy <c>authorization</c>: the first rule whose principal and operation match decides (Allow goes on,
/// Deny answers 403 <c>RBAC: access denied</c> as Envoy's RBAC filter does); no match takes the default action. Reads
/// the client address and the validated JWTs from the exchange's policy state. Decide-only: every transport.
/// </summary>
internal sealed class AuthorizationStep : DecideStep
{
    private readonly AuthorizationRule[] _rules;
    private readonly bool _defaultAllow;

    public AuthorizationStep(AuthorizationIr ir)
    {
        _rules = [.. ir.Rules.Select(r => new AuthorizationRule(r))];
        _defaultAllow = ir.DefaultAllow;
    }

    public override StepStage Stage => StepStage.Authorization;

    public override TransportSet Transports => TransportSet.All;

    public override bool UsesPolicyState => true;

    public override StepVerdict Decide<TRequest>(in TRequest request, in RequestFacts facts, out LocalReply? reply)
    {
        reply = null;
        if (request.DecodedPath is null) return StepVerdict.NeedsFullPipeline;
        var allow = _defaultAllow;
        foreach (var rule in _rules)
        {
            if (!rule.Matches(request, facts.Policy)) continue;
            allow = rule.Ir.Allow;
            break;
        }
        if (allow) return StepVerdict.Continue;
        reply = Authentication.AuthReplies.Forbidden();
        return StepVerdict.Reply;
    }

    public override string Describe() =>
        $"authorization default={(_defaultAllow ? "allow" : "deny")} rules=[{string.Join("; ", _rules.Select(r => r.Describe()))}]";
}
