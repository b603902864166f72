using System.Collections.Immutable;
using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;

namespace Causeway.Model.Snapshot;

/// <summary>Everything the translator may look at, immutable, every list sorted by object key.</summary>
public sealed class ResourceSnapshot
{
    private readonly ImmutableDictionary<ObjectKey, KubeObject> _byKey;

    private ResourceSnapshot(ImmutableArray<KubeObject> all)
    {
        All = all;
        _byKey = all.ToImmutableDictionary(o => o.Key);
        GatewayClasses = Of<GatewayClass>();
        Gateways = Of<Gateway>();
        ListenerSets = Of<ListenerSet>();
        HttpRoutes = Of<HttpRoute>();
        GrpcRoutes = Of<GrpcRoute>();
        TlsRoutes = Of<TlsRoute>();
        TcpRoutes = Of<TcpRoute>();
        UdpRoutes = Of<UdpRoute>();
        ReferenceGrants = Of<ReferenceGrant>();
        BackendTlsPolicies = Of<BackendTlsPolicy>();
        Namespaces = Of<Namespace>();
        Services = Of<Service>();
        EndpointSlices = Of<EndpointSlice>();
        Secrets = Of<Secret>();
        ConfigMaps = Of<ConfigMap>();
        ProxyConfigs = Of<ProxyConfig>();
        BackendTrafficPolicies = Of<BackendTrafficPolicy>();
        SecurityPolicies = Of<SecurityPolicy>();
        ClientTrafficPolicies = Of<ClientTrafficPolicy>();
        Backends = Of<Backend>();
        HttpRouteFilters = Of<EnvoyHttpRouteFilter>();
        EndpointSlicesByService = EndpointSlices
            .Where(s => s.ServiceName is not null)
            .GroupBy(s => (s.Namespace, s.ServiceName!))
            .ToImmutableDictionary(g => g.Key, g => g.ToImmutableArray());
    }

    public static ResourceSnapshot Empty { get; } = new([]);

    /// <summary>Builds a snapshot; on duplicate keys the last object wins.</summary>
    public static ResourceSnapshot Create(IEnumerable<KubeObject> objects)
    {
        var map = new Dictionary<ObjectKey, KubeObject>();
        foreach (var o in objects) map[o.Key] = o;
        return new ResourceSnapshot([.. map.Values.OrderBy(o => o.Key)]);
    }

    public ImmutableArray<KubeObject> All { get; }
    public ImmutableArray<GatewayClass> GatewayClasses { get; }
    public ImmutableArray<Gateway> Gateways { get; }
    public ImmutableArray<ListenerSet> ListenerSets { get; }
    public ImmutableArray<HttpRoute> HttpRoutes { get; }
    public ImmutableArray<GrpcRoute> GrpcRoutes { get; }
    public ImmutableArray<TlsRoute> TlsRoutes { get; }
    public ImmutableArray<TcpRoute> TcpRoutes { get; }
    public ImmutableArray<UdpRoute> UdpRoutes { get; }
    public ImmutableArray<ReferenceGrant> ReferenceGrants { get; }
    public ImmutableArray<BackendTlsPolicy> BackendTlsPolicies { get; }
    public ImmutableArray<Namespace> Namespaces { get; }
    public ImmutableArray<Service> Services { get; }
    public ImmutableArray<EndpointSlice> EndpointSlices { get; }
    public ImmutableArray<Secret> Secrets { get; }
    public ImmutableArray<ConfigMap> ConfigMaps { get; }
    public ImmutableArray<ProxyConfig> ProxyConfigs { get; }

    /// <summary>Envoy Gateway BackendTrafficPolicies (gateway.envoyproxy.io/v1alpha1).</summary>
    public ImmutableArray<BackendTrafficPolicy> BackendTrafficPolicies { get; }

    /// <summary>Envoy Gateway SecurityPolicies (gateway.envoyproxy.io/v1alpha1).</summary>
    public ImmutableArray<SecurityPolicy> SecurityPolicies { get; }
    /// <summary>Envoy Gateway ClientTrafficPolicies (gateway.envoyproxy.io/v1alpha1).</summary>
    public ImmutableArray<ClientTrafficPolicy> ClientTrafficPolicies { get; }
    /// <summary>Envoy Gateway Backends (gateway.envoyproxy.io/v1alpha1).</summary>
    public ImmutableArray<Backend> Backends { get; }

    /// <summary>Envoy Gateway HTTPRouteFilters (gateway.envoyproxy.io/v1alpha1).</summary>
    public ImmutableArray<EnvoyHttpRouteFilter> HttpRouteFilters { get; }
    public ImmutableDictionary<(string Namespace, string Service), ImmutableArray<EndpointSlice>> EndpointSlicesByService { get; }

    public T? Get<T>(string kind, string ns, string name) where T : KubeObject =>
        _byKey.TryGetValue(new ObjectKey(kind, ns, name), out var o) ? o as T : null;

    public ResourceSnapshot With(IEnumerable<KubeObject> upserts, IEnumerable<ObjectKey>? deletes = null)
    {
        var map = _byKey.ToBuilder();
        foreach (var d in deletes ?? []) map.Remove(d);
        foreach (var o in upserts) map[o.Key] = o;
        return new ResourceSnapshot([.. map.Values.OrderBy(o => o.Key)]);
    }

    private ImmutableArray<T> Of<T>() where T : KubeObject => [.. All.OfType<T>()];
}
