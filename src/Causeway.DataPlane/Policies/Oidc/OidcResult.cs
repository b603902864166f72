namespace Causeway.DataPlane.Policies.Oidc;

/// <summary>What the OIDC step did with a request (the <c>result</c> label of <c>causeway_oidc_requests_total</c>).</summary>
internal enum OidcResult
{
    /// <summary>A valid session cookie: the request went on.</summary>
    Session,

    /// <summary>A token for the JWT providers (passThroughAuthHeader): the request went on to JWT validation.</summary>
    Pass,

    /// <summary>No session: redirected to the provider's authorization endpoint.</summary>
    Redirect,

    /// <summary>No session and a denyRedirect header matched: 401.</summary>
    Denied,

    CallbackOk,
    CallbackError,
    Refresh,
    RefreshError,
    Logout,

    /// <summary>The provider's discovery document could not be had in time: 503.</summary>
    Unavailable,
}
