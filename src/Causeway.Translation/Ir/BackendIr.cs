using System.Text.Json.Serialization;
using Causeway.Model;

namespace Causeway.Translation.Ir;

public enum BackendProtocol
{
    /// <summary>HTTP/1.1 to the backend (default for HTTPRoute).</summary>
    Http1,
    /// <summary>Cleartext HTTP/2 with prior knowledge (appProtocol kubernetes.io/h2c, and GRPCRoute by default).</summary>
    H2c,
    /// <summary>WebSocket-capable HTTP/1.1 (appProtocol kubernetes.io/ws).</summary>
    WebSocket,
    /// <summary>Raw TCP/TLS stream (TCPRoute, TLSRoute).</summary>
    Stream,
    Datagram,
}

/// <summary>A Service port as a backend: shared by every route that names it, so connection pools are per backend.</summary>
public sealed record BackendIr
{
    /// <summary><c>namespace/service:port</c> (plus <c>/udp</c> for UDP ports).</summary>
    public required string Id { get; init; }
    public BackendProtocol Protocol { get; init; } = BackendProtocol.Http1;

    /// <summary>Ready endpoints only.</summary>
    public EquatableArray<EndpointIr> Endpoints { get; init; } = EquatableArray<EndpointIr>.Empty;

    /// <summary>TLS to the backend (BackendTLSPolicy, or an Envoy Gateway Backend's <c>tls</c>), if any.</summary>
    public BackendTlsIr? Tls { get; init; }

    /// <summary>
    /// Envoy Gateway Backend <c>fallback</c>: used only when every non-fallback backend of the same rule has no ready
    /// endpoint.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Fallback { get; init; }

    /// <summary>
    /// How often the data plane resolves this backend's DNS-named endpoints again: the shortest BackendTrafficPolicy
    /// <c>dns.dnsRefreshRate</c> among the policies of the routes using it (null: the data plane's default, 30 s).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public TimeSpan? DnsRefreshRate { get; init; }

    /// <summary>
    /// A BackendTrafficPolicy reaching this backend sets <c>dns</c> without <c>respectDnsTtl: false</c>: its DNS-named
    /// endpoints are resolved again when their records' TTL runs out (at least every 5 s apart, Envoy's
    /// dns_min_refresh_rate) instead of every <see cref="DnsRefreshRate"/>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool DnsRespectTtl { get; init; }

    /// <summary>
    /// Which addresses of this backend's DNS-named endpoints become endpoints: the BackendTrafficPolicy
    /// <c>dns.lookupFamily</c> of the routes using it (when policies disagree, the first in route order; null: IPv4
    /// preferred).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public DnsLookupFamily? DnsLookupFamily { get; init; }

    /// <summary>HTTP backends: connect timeout and keep-alive of its connections, from the policies of the rules using it (null: the defaults).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public BackendConnectionIr? Connection { get; init; }

    /// <summary>
    /// The backend's own hostname (an Envoy Gateway Backend's first <c>fqdn</c> endpoint), which an HTTPRouteFilter's
    /// <c>urlRewrite.hostname.type: Backend</c> sends as the Host; null for backends known by address only.
    /// </summary>
    public string? Hostname { get; init; }
}

/// <summary>
/// An endpoint: an IP address and port (EndpointSlices, Backend <c>ip</c>), a DNS name and port the data plane resolves
/// (Backend <c>fqdn</c>; each address an endpoint) or a Unix domain socket path (Backend <c>unix</c>, port 0).
/// </summary>
public sealed record EndpointIr(string Address, int Port)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public EndpointKind Kind { get; init; } = EndpointKind.Ip;
}

public sealed record BackendTlsIr
{
    /// <summary>SNI and the name the certificate is verified against.</summary>
    public required string Hostname { get; init; }

    /// <summary>PEM trust anchors; null means the system trust store.</summary>
    public string? CaBundlePem { get; init; }

    /// <summary>When non-empty, the certificate must carry one of these SANs instead of <see cref="Hostname"/>.</summary>
    public EquatableArray<string> SubjectAltNames { get; init; } = EquatableArray<string>.Empty;

    /// <summary>Envoy Gateway Backend <c>tls.insecureSkipVerify</c>: any certificate is accepted (SNI still sent).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool InsecureSkipVerify { get; init; }

    /// <summary>Envoy Gateway Backend <c>tls.minVersion</c>/<c>maxVersion</c> ("1.2" or "1.3"); null: 1.2 and 1.3.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MinVersion { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MaxVersion { get; init; }

    /// <summary>Envoy Gateway Backend <c>tls.ciphers</c>: the TLS 1.2 suites offered (IANA names); null: the platform's.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EquatableArray<string>? Ciphers { get; init; }

    /// <summary>Envoy Gateway Backend <c>tls.alpnProtocols</c> (empty: no ALPN); null: the backend protocol's.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EquatableArray<string>? AlpnProtocols { get; init; }

    /// <summary>Envoy Gateway Backend <c>tls.clientCertificateRef</c>: presented instead of the Gateway's backend client certificate.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TlsCertificateIr? ClientCertificate { get; init; }
}

/// <summary>A TCP/UDP/TLS route attached to a listener.</summary>
public sealed record L4RouteIr
{
    /// <summary><c>tcproute/ns/name</c> etc.</summary>
    public required string Name { get; init; }

    /// <summary>TLSRoute: the SNI hostnames (exact or wildcard) after intersection with the listener's; empty = any.</summary>
    public EquatableArray<string> Hostnames { get; init; } = EquatableArray<string>.Empty;

    /// <summary>Weighted backends; entries with a null id are invalid references (their share is refused).</summary>
    public EquatableArray<WeightedBackendIr> Backends { get; init; } = EquatableArray<WeightedBackendIr>.Empty;

    /// <summary>
    /// The effective Envoy Gateway BackendTrafficPolicy of this route (for the listener it is reached through), or
    /// null. The data plane serves its connection-level fields (load balancing, health checks, connect timeout,
    /// maxConnections, PROXY protocol, keep-alive, buffer limit); the translator warns about the rest.
    /// </summary>
    public BackendTrafficPolicyIr? BackendTraffic { get; init; }
}
