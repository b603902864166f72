using Causeway.DataPlane.Policies.ExtAuth;
using Causeway.DataPlane.Policies.Oidc;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies;

/// <summary>
/// The steps a rule's effective SecurityPolicy adds to its plan: authentication (external authorization, OIDC, JWT,
/// basic, API key) and authorization; its CORS is the rule's CORS (<see cref="CompiledRule"/> uses the HTTPRoute filter's code for it).
/// Remote key sets live in the <see cref="StateStore"/> under their URI and refresh settings, so a reload keeps the
/// keys already fetched and every rule using the same issuer shares one fetcher.
/// </summary>
internal static class SecuritySteps
{
    /// <param name="backends">The Gateway's backends by id (the external authorization service's).</param>
    public static void Add(SecurityPolicyIr policy, CompileShare? share, List<PipelineStep> steps, Func<string?, BackendRuntime?>? backends = null)
    {
        if (policy.Csrf is { } csrf)
        {
            var stats = share?.PolicyState("csrf-stats|" + policy.Policy, () => new Csrf.CsrfStats(policy.Policy)) ?? new Csrf.CsrfStats(policy.Policy);
            steps.Add(new Csrf.CsrfStep(csrf, stats));
        }
        // External authorization first among the authentications, as Envoy Gateway orders its filters.
        if (policy.ExtAuth is { } extAuth)
        {
            var stats = share?.PolicyState("ext-auth-stats|" + policy.Policy, () => new ExtAuthStats(policy.Policy)) ?? new ExtAuthStats(policy.Policy);
            var backend = extAuth.BackendId is null ? null : backends?.Invoke(extAuth.BackendId);
            // Every rule the policy reaches on this port shares the step (and its channels to the service); with
            // includeRouteMetadata each rule has its own step over the shared one's client, carrying its route.
            var common = extAuth.RouteMetadata is null ? extAuth : extAuth with { RouteMetadata = null };
            ExtAuthStep Make() => new(policy.Policy, common, backend, stats);
            var step = share is null ? Make() : share.Step((policy.Policy, common, backend), Make);
            steps.Add(extAuth.RouteMetadata is { } route ? step.ForRoute(route) : step);
            if (extAuth.MaxRequestBytes is { } max) steps.Add(new ExtAuthBodyStep(max));
            if (extAuth.RecomputeRoute) steps.Add(RecomputeRouteStep.Instance);
        }
        if (policy.Oidc is { } oidc)
            steps.Add(new OidcStep(oidc, OidcState(oidc, share), policy.Jwt?.Providers.SelectMany(p => p.Sources) ?? []));
        if (policy.Jwt is { Providers.Count: > 0 } jwt)
        {
            // With OIDC in front, a request without a token was let through by a session: JWT checks only the tokens it finds.
            var effective = policy.Oidc is null ? jwt : jwt with { Optional = true };
            steps.Add(new JwtAuthStep(effective, jwt.Providers.Select(p => new JwtProvider(p, Source(p, share)))));
            if (jwt.Providers.Any(p => p.RecomputeRoute) && !steps.Contains(RecomputeRouteStep.Instance)) steps.Add(RecomputeRouteStep.Instance);
        }
        if (policy.BasicAuth is { } basic) steps.Add(new BasicAuthStep(basic));
        if (policy.ApiKeyAuth is { } apiKey) steps.Add(new ApiKeyAuthStep(apiKey));
        if (policy.Authorization is { } authorization) steps.Add(new AuthorizationStep(authorization));
    }

    private static OidcRuntime OidcState(OidcIr oidc, CompileShare? share)
    {
        if (share is null) return new OidcRuntime(oidc); // started by its first request
        var key = $"oidc|{oidc.Policy}|{oidc.Issuer}|{oidc.AuthorizationEndpoint}|{oidc.TokenEndpoint}|{oidc.EndSessionEndpoint}|{oidc.ClientId}"
            + $"|{oidc.ClientSecret.Fingerprint}|{oidc.CookieKey?.Fingerprint}|{string.Join(",", oidc.Resources)}";
        var runtime = share.PolicyState(key, () => new OidcRuntime(oidc));
        runtime.Start();
        return runtime;
    }

    private static JwksSource Source(JwtProviderIr p, CompileShare? share)
    {
        if (p.LocalJwks is { } json) return new LocalJwks(json);
        var uri = new Uri(p.RemoteJwksUri!);
        if (share is null) return new RemoteJwks(uri, p.CacheDuration, p.RetryInterval); // started by its first request
        var remote = share.PolicyState($"jwks|{uri.AbsoluteUri}|{p.CacheDuration.Ticks}|{p.RetryInterval.Ticks}",
            () => new RemoteJwks(uri, p.CacheDuration, p.RetryInterval));
        remote.Start();
        return remote;
    }
}
