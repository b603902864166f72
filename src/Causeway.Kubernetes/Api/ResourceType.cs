namespace Causeway.Kubernetes.Api;

/// <summary>A REST resource: where its objects live on the API server and how they are named.</summary>
public sealed record ResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The collection path, cluster-wide (ns null) or in one namespace.</summary>
    public string CollectionPath(string? ns)
    {
        var root = Group.Length == 0 ? $"/api/{Version}" : $"/apis/{Group}/{Version}";
        return Namespaced && ns is not null ? $"{root}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}" : $"{root}/{Plural}";
    }

    public string ObjectPath(string? ns, string name) => $"{CollectionPath(Namespaced ? ns ?? "default" : null)}/{Uri.EscapeDataString(name)}";

    public override string ToString() => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public static readonly ResourceType GatewayClasses = new("gateway.networking.k8s.io", "v1", "gatewayclasses", "GatewayClass", false);
    public static readonly ResourceType Gateways = new("gateway.networking.k8s.io", "v1", "gateways", "Gateway", true);
    public static readonly ResourceType HttpRoutes = new("gateway.networking.k8s.io", "v1", "httproutes", "HTTPRoute", true);
    public static readonly ResourceType GrpcRoutes = new("gateway.networking.k8s.io", "v1", "grpcroutes", "GRPCRoute", true);
    public static readonly ResourceType TlsRoutes = new("gateway.networking.k8s.io", "v1alpha2", "tlsroutes", "TLSRoute", true);
    public static readonly ResourceType TcpRoutes = new("gateway.networking.k8s.io", "v1alpha2", "tcproutes", "TCPRoute", true);
    public static readonly ResourceType UdpRoutes = new("gateway.networking.k8s.io", "v1alpha2", "udproutes", "UDPRoute", true);
    public static readonly ResourceType ReferenceGrants = new("gateway.networking.k8s.io", "v1beta1", "referencegrants", "ReferenceGrant", true);
    public static readonly ResourceType BackendTlsPolicies = new("gateway.networking.k8s.io", "v1", "backendtlspolicies", "BackendTLSPolicy", true);
    public static readonly ResourceType Namespaces = new("", "v1", "namespaces", "Namespace", false);
    public static readonly ResourceType Services = new("", "v1", "services", "Service", true);
    public static readonly ResourceType EndpointSlices = new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true);
    public static readonly ResourceType Secrets = new("", "v1", "secrets", "Secret", true);
    public static readonly ResourceType ConfigMaps = new("", "v1", "configmaps", "ConfigMap", true);
    public static readonly ResourceType ProxyConfigs = new("gateway.causeway.dev", "v1alpha1", "proxyconfigs", "ProxyConfig", true);
    public static readonly ResourceType EnvoyProxies = new("gateway.envoyproxy.io", "v1alpha1", "envoyproxies", "EnvoyProxy", true);
    public static readonly ResourceType BackendTrafficPolicies = new("gateway.envoyproxy.io", "v1alpha1", "backendtrafficpolicies", "BackendTrafficPolicy", true);
    public static readonly ResourceType ClientTrafficPolicies = new("gateway.envoyproxy.io", "v1alpha1", "clienttrafficpolicies", "ClientTrafficPolicy", true);
    public static readonly ResourceType SecurityPolicies = new("gateway.envoyproxy.io", "v1alpha1", "securitypolicies", "SecurityPolicy", true);
    public static readonly ResourceType Backends = new("gateway.envoyproxy.io", "v1alpha1", "backends", "Backend", true);
    public static readonly ResourceType HttpRouteFilters = new("gateway.envoyproxy.io", "v1alpha1", "httproutefilters", "HTTPRouteFilter", true);
    public static readonly ResourceType ServiceAccounts = new("", "v1", "serviceaccounts", "ServiceAccount", true);
    public static readonly ResourceType Deployments = new("apps", "v1", "deployments", "Deployment", true);
    public static readonly ResourceType Leases = new("coordination.k8s.io", "v1", "leases", "Lease", true);

    /// <summary>
    /// The Envoy Gateway kinds (gateway.envoyproxy.io) the controller watches and whose status it writes. A kind whose
    /// CRD is not installed is served as empty (the informer retries), so the list may name kinds ahead of their CRDs.
    /// </summary>
    public static readonly IReadOnlyList<ResourceType> EnvoyGatewayPolicyKinds =
    [
        BackendTrafficPolicies, ClientTrafficPolicies, SecurityPolicies, Backends, HttpRouteFilters,
    ];

    /// <summary>Every kind the resource snapshot is built from.</summary>
    public static readonly IReadOnlyList<ResourceType> SnapshotKinds =
    [
        GatewayClasses, Gateways, HttpRoutes, GrpcRoutes, TlsRoutes, TcpRoutes, UdpRoutes, ReferenceGrants, BackendTlsPolicies,
        Namespaces, Services, EndpointSlices, Secrets, ConfigMaps, ProxyConfigs, EnvoyProxies,
        .. EnvoyGatewayPolicyKinds,
    ];
}
