using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;

namespace Causeway.Model.Loading;

/// <summary>A kind Causeway reads: its group, the versions accepted, the C# type and how strictly it is checked.</summary>
public sealed record KindInfo(string Group, string Kind, IReadOnlyList<string> Versions, Type ClrType, bool ClusterScoped, bool SchemaValidated);

public static class KindRegistry
{
    public const string GatewayGroup = "gateway.networking.k8s.io";
    public const string CausewayGroup = "gateway.causeway.dev";
    public const string EnvoyGroup = "gateway.envoyproxy.io";

    public static readonly IReadOnlyList<KindInfo> All =
    [
        new(GatewayGroup, "GatewayClass", ["v1", "v1beta1"], typeof(GatewayClass), true, true),
        new(GatewayGroup, "Gateway", ["v1", "v1beta1"], typeof(Gateway), false, true),
        new(GatewayGroup, "HTTPRoute", ["v1", "v1beta1"], typeof(HttpRoute), false, true),
        new(GatewayGroup, "GRPCRoute", ["v1"], typeof(GrpcRoute), false, true),
        new(GatewayGroup, "TLSRoute", ["v1alpha2", "v1alpha3", "v1"], typeof(TlsRoute), false, true),
        new(GatewayGroup, "TCPRoute", ["v1alpha2", "v1alpha3", "v1"], typeof(TcpRoute), false, true),
        new(GatewayGroup, "UDPRoute", ["v1alpha2", "v1alpha3", "v1"], typeof(UdpRoute), false, true),
        new(GatewayGroup, "ReferenceGrant", ["v1beta1", "v1"], typeof(ReferenceGrant), false, true),
        new(GatewayGroup, "BackendTLSPolicy", ["v1", "v1alpha3"], typeof(BackendTlsPolicy), false, true),
        new(GatewayGroup, "ListenerSet", ["v1", "v1alpha1"], typeof(ListenerSet), false, true),
        new("", "Namespace", ["v1"], typeof(Namespace), true, false),
        new("", "Service", ["v1"], typeof(Service), false, false),
        new("discovery.k8s.io", "EndpointSlice", ["v1"], typeof(EndpointSlice), false, false),
        new("", "Secret", ["v1"], typeof(Secret), false, false),
        new("", "ConfigMap", ["v1"], typeof(ConfigMap), false, false),
        new(CausewayGroup, "ProxyConfig", ["v1alpha1"], typeof(ProxyConfig), false, false),
        new(EnvoyGroup, "EnvoyProxy", ["v1alpha1"], typeof(ProxyConfig), false, false),
        new(EnvoyGroup, "BackendTrafficPolicy", ["v1alpha1"], typeof(BackendTrafficPolicy), false, true),
        new(EnvoyGroup, "SecurityPolicy", ["v1alpha1"], typeof(SecurityPolicy), false, true),
        new(EnvoyGroup, "ClientTrafficPolicy", ["v1alpha1"], typeof(ClientTrafficPolicy), false, true),
        new(EnvoyGroup, "Backend", ["v1alpha1"], typeof(Backend), false, true),
        new(EnvoyGroup, "HTTPRouteFilter", ["v1alpha1"], typeof(EnvoyHttpRouteFilter), false, true),
    ];

    private static readonly Dictionary<(string, string), KindInfo> ByGroupKind = All.ToDictionary(k => (k.Group, k.Kind));

    public static KindInfo? Find(string group, string kind) => ByGroupKind.GetValueOrDefault((group, kind));

    public static (string Group, string Version) SplitApiVersion(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/');
        return slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
    }
}
