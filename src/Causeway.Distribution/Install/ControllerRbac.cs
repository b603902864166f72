namespace Causeway.Distribution.Install;

/// <summary>
/// The controller's least-privilege RBAC: read what it watches, write only the status subresource of Gateway API
/// objects and the objects it provisions per Gateway, and Leases in its own namespace.
/// </summary>
public static class ControllerRbac
{
    public const string GatewayGroup = "gateway.networking.k8s.io";
    public const string CausewayGroup = "gateway.causeway.dev";
    public const string EnvoyGroup = "gateway.envoyproxy.io";

    private static readonly string[] Read = ["get", "list", "watch"];

    /// <summary>Gateway API kinds the controller watches.</summary>
    public static IReadOnlyList<string> GatewayApiResources { get; } =
    [
        "gatewayclasses", "gateways", "httproutes", "grpcroutes", "tlsroutes", "tcproutes", "udproutes",
        "referencegrants", "backendtlspolicies", "listenersets",
    ];

    /// <summary>
    /// Envoy Gateway kinds the controller watches and whose status it writes (policies, Backend, HTTPRouteFilter). The
    /// same list as the controller's informers (<c>ResourceType.EnvoyGatewayPolicyKinds</c>).
    /// </summary>
    public static IReadOnlyList<string> EnvoyGatewayResources { get; } =
    [
        "backendtrafficpolicies", "clienttrafficpolicies", "securitypolicies", "backends", "httproutefilters",
    ];

    /// <summary>Gateway API kinds whose status the controller writes (every watched kind but ReferenceGrant).</summary>
    public static IReadOnlyList<string> StatusResources { get; } =
        [.. GatewayApiResources.Where(r => r != "referencegrants").Select(r => r + "/status")];

    /// <summary>The ClusterRole's rules.</summary>
    public static IReadOnlyList<RbacRule> ClusterRules { get; } =
    [
        new([GatewayGroup], GatewayApiResources, Read),
        new([GatewayGroup], StatusResources, ["get", "update", "patch"]),
        new([""], ["namespaces", "configmaps"], Read),
        new(["discovery.k8s.io"], ["endpointslices"], Read),
        new([CausewayGroup], ["proxyconfigs"], Read),
        new([EnvoyGroup], ["envoyproxies", .. EnvoyGatewayResources], Read),
        new([EnvoyGroup], [.. EnvoyGatewayResources.Select(r => r + "/status")], ["get", "update", "patch"]),
        // Provisioned per Gateway (owner-referenced to it): proxy ServiceAccount, Deployment, Service and the Secret
        // with the proxy's client certificate. Secrets are also read for listener certificates.
        new([""], ["services", "secrets", "serviceaccounts"], ["get", "list", "watch", "create", "update", "patch", "delete"]),
        new(["apps"], ["deployments"], ["get", "list", "watch", "create", "update", "patch", "delete"]),
        new([""], ["events"], ["create", "patch"]),
        new(["events.k8s.io"], ["events"], ["create", "patch"]),
    ];

    /// <summary>The Role's rules in the controller's own namespace (leader election).</summary>
    public static IReadOnlyList<RbacRule> NamespaceRules { get; } =
    [
        new(["coordination.k8s.io"], ["leases"], ["get", "list", "watch", "create", "update", "patch"]),
    ];
}
