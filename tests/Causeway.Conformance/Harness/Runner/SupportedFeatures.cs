namespace Causeway.Conformance.Harness.Runner;

/// <summary>
/// THE ONE PLACE where Causeway declares the Gateway API features it claims (upstream pkg/features names).
/// Tests requiring anything else are reported as skipped. The lead adjusts this list as features land.
/// </summary>
public static class SupportedFeatures
{
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        // GATEWAY-HTTP core
        "Gateway",
        "HTTPRoute",
        "ReferenceGrant",
        // Gateway extended
        "GatewayPort8080",
        "GatewayHTTPListenerIsolation",
        // HTTPRoute extended
        "HTTPRouteHostRewrite",
        "HTTPRouteMethodMatching",
        "HTTPRoutePathRedirect",
        "HTTPRoutePathRewrite",
        "HTTPRoutePortRedirect",
        "HTTPRouteQueryParamMatching",
        "HTTPRouteRequestMirror",
        "HTTPRouteResponseHeaderModification",
        "HTTPRouteBackendRequestHeaderModification",
        "HTTPRouteSchemeRedirect",
        "HTTPRouteRequestTimeout",
        "HTTPRouteBackendTimeout",
        "HTTPRouteParentRefPort",
        "HTTPRouteDestinationPortMatching",
        "HTTPRoute303RedirectStatusCode",
        "HTTPRoute307RedirectStatusCode",
        "HTTPRoute308RedirectStatusCode",
        "HTTPRouteBackendProtocolH2C",
        "HTTPRouteBackendProtocolWebSocket",
        "HTTPRouteBackendRequestRedirect",
        "HTTPRouteBackendURLRewrite",
        "HTTPRouteCORS",
        "HTTPRouteNamedRouteRule",
        "HTTPRouteRequestPercentageMirror",
        "HTTPRouteRetry",
        "HTTPRouteRetryConnectionError",
        "GatewayHTTPSListenerDetectMisdirectedRequests",
        "GatewayFrontendClientCertificateValidation",
        "GatewayFrontendClientCertificateValidationInsecureFallback",
        "GatewayBackendClientCertificate",
        "GatewayStaticAddresses",
        "GatewayAddressEmpty",
        // Other profiles
        "GRPCRoute",
        "GRPCRouteRequestHeaderModifier",
        "GRPCRouteNamedRouteRule",
        "TLSRoute",
        "TLSRouteModeTerminate",
        "TLSRouteModeMixed",
        "TCPRoute",
        "UDPRoute",
        "BackendTLSPolicy",
        "BackendTLSPolicySANValidation",
        "ListenerSet",
    };

    /// <summary>Provisional tests run only when CAUSEWAY_CONFORMANCE_PROVISIONAL=1 (upstream: only when explicitly enabled).</summary>
    public static bool IncludeProvisional => Environment.GetEnvironmentVariable("CAUSEWAY_CONFORMANCE_PROVISIONAL") == "1";
}
