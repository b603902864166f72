namespace Causeway.DataPlane.Policies.ExtAuth;

/// <summary>
/// SecurityPolicy <c>extAuth.recomputeRoute</c> (and a JWT provider's): once the request is allowed, the Kestrel pipeline
/// chooses the route again with the headers the service or the token's claims set
/// (<see cref="Transports.Kestrel.HttpRequestHandler"/>), as Envoy clears its route cache after ext_authz and jwt_authn. The new rule's target, request edits and upstream settings apply; the decisions
/// already made (this authorization among them) are not made again. Kestrel only: the byte transports route from the
/// bytes the client sent, so they hand such rules on. It decides nothing itself.
/// </summary>
internal sealed class RecomputeRouteStep : KestrelOnlyMarkerStep
{
    public static readonly RecomputeRouteStep Instance = new();

    public override StepStage Stage => StepStage.Authentication;

    public override string Describe() => "recompute-route after authentication (the Kestrel pipeline routes again with the headers it set)";
}
