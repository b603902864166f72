using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.Jwt;

/// <summary>
/// SecurityPolicy <c>jwt</c>: a token from any provider's sources must validate against that provider (requires-any,
/// as Envoy Gateway configures jwt_authn). Missing token: 401 <c>Jwt is missing</c> unless optional; invalid token:
/// 401 with <c>WWW-Authenticate: Bearer realm="...", error="invalid_token"</c>; no backend request either way. A
/// valid token's header is removed before the backend (jwt_authn's default), its claims go to <c>claimToHeaders</c>
/// and stay on the exchange for authorization. Decide-only: every transport.
/// </summary>
internal sealed class JwtAuthStep : DecideStep
{
    private readonly JwtIr _ir;
    private readonly JwtProvider[] _providers;

    public JwtAuthStep(JwtIr ir, IEnumerable<JwtProvider> providers)
    {
        _ir = ir;
        _providers = [.. providers];
    }

    public override StepStage Stage => StepStage.Authentication;

    public override TransportSet Transports => TransportSet.All;

    public override bool UsesPolicyState => true;

    public IReadOnlyList<JwtProvider> Providers => _providers;

    public override StepVerdict Decide<TRequest>(in TRequest request, in RequestFacts facts, out LocalReply? reply)
    {
        reply = null;
        if (request.DecodedPath is null) return StepVerdict.NeedsFullPipeline;
        string? failure = null;
        var found = false;
        foreach (var provider in _providers)
        {
            foreach (var source in provider.Ir.Sources)
            {
                var token = Authentication.CredentialReader.Read(request, source);
                if (token is null) continue;
                found = true;
                var valid = provider.Validate(token, out var why);
                if (valid is null)
                {
                    failure ??= why;
                    continue;
                }
                Passed(provider, source, valid, facts.Policy);
                return StepVerdict.Continue;
            }
        }
        var realm = Authentication.AuthReplies.Realm(request, facts);
        if (!found)
        {
            if (_ir.Optional) return StepVerdict.Continue;
            reply = Authentication.AuthReplies.Unauthorized("Jwt is missing", $"Bearer realm=\"{realm}\"");
            return StepVerdict.Reply;
        }
        reply = Authentication.AuthReplies.Unauthorized(failure ?? "Jwt verification fails", $"Bearer realm=\"{realm}\", error=\"invalid_token\"");
        return StepVerdict.Reply;
    }

    private static void Passed(JwtProvider provider, CredentialSourceIr source, ValidatedToken token, RequestPolicyState? policy)
    {
        if (policy is null) return;
        policy.AddToken(provider.Ir.Name, token);
        if (source.Kind == CredentialSourceKind.Header) policy.RemoveRequestHeader(new HeaderText(source.Name));
        foreach (var (claim, header) in provider.ClaimHeaders)
        {
            if (token.ClaimText(claim) is { } value && Authentication.CredentialReader.IsHeaderSafe(value)) policy.SetRequestHeader(header, value);
        }
    }

    public override string Describe() =>
        "jwt" + (_ir.Optional ? " optional" : "") + " providers=[" + string.Join("; ", _providers.Select(p =>
            $"{p.Ir.Name} iss={p.Ir.Issuer ?? "*"} aud=[{string.Join(",", p.Ir.Audiences)}] {p.Keys.Describe()}"
            + (p.Ir.ClaimToHeaders.Count > 0 ? " claims->" + string.Join(",", p.Ir.ClaimToHeaders.Select(c => $"{c.Claim}:{c.Header}")) : ""))) + "]";
}
