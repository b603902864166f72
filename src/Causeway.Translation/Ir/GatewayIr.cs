using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>
/// What the data plane needs to serve one Gateway, and nothing more. Immutable, value-equal, no Kubernetes types.
/// Names point back at the source objects (<c>namespace/name</c>, <c>httproute/ns/name/rule/0</c>).
/// </summary>
public sealed record GatewayIr
{
    /// <summary><c>namespace/name</c> of the Gateway.</summary>
    public required string Name { get; init; }

    /// <summary>IP addresses to bind (the Gateway's requested or assigned addresses). Empty: the default bind address.</summary>
    public EquatableArray<string> Addresses { get; init; } = EquatableArray<string>.Empty;

    /// <summary>One entry per bound (port, transport): listeners that share a port are merged here.</summary>
    public EquatableArray<PortIr> Ports { get; init; } = EquatableArray<PortIr>.Empty;

    /// <summary>Every backend a route of this Gateway uses, keyed by <see cref="BackendIr.Id"/>: shared by routes.</summary>
    public EquatableArray<BackendIr> Backends { get; init; } = EquatableArray<BackendIr>.Empty;

    /// <summary>The client certificate presented to backends (Gateway <c>spec.tls.backend.clientCertificateRef</c>).</summary>
    public TlsCertificateIr? BackendClientCertificate { get; init; }

    /// <summary>Distributed tracing of this Gateway's HTTP requests; null: off.</summary>
    public TracingIr? Tracing { get; init; }

    /// <summary>The access logs of the Gateway's EnvoyProxy; null: the data plane's default access log.</summary>
    public AccessLogIr? AccessLog { get; init; }
}

public enum PortProtocol
{
    /// <summary>Plain HTTP (HTTP/1.1 and h2c).</summary>
    Http,
    /// <summary>TLS-terminated HTTP (HTTP/1.1 and h2 by ALPN).</summary>
    Https,
    /// <summary>TLS listeners: passthrough by SNI, or terminate then TCP.</summary>
    Tls,
    Tcp,
    Udp,
}

/// <summary>A bound port and everything served on it.</summary>
public sealed record PortIr
{
    public required int Port { get; init; }
    public required PortProtocol Protocol { get; init; }

    /// <summary>The listeners on this port, most specific hostname first (exact, then longer wildcards, then none).</summary>
    public EquatableArray<ListenerIr> Listeners { get; init; } = EquatableArray<ListenerIr>.Empty;

    /// <summary>Connection-level ClientTrafficPolicy settings (PROXY protocol, connection limit); null: none.</summary>
    public ClientConnectionIr? Connection { get; init; }
}

/// <summary>One Gateway (or ListenerSet) listener: its hostname, TLS material and what is routed through it.</summary>
public sealed record ListenerIr
{
    /// <summary><c>gateway-ns/gateway-name/listener-name</c> (or <c>listenerset-ns/name/listener</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Listener hostname: null matches any host; <c>*.example.com</c> a wildcard.</summary>
    public string? Hostname { get; init; }

    /// <summary>Certificates for TLS termination (HTTPS and TLS Terminate). Selected by SNI.</summary>
    public EquatableArray<TlsCertificateIr> Certificates { get; init; } = EquatableArray<TlsCertificateIr>.Empty;

    /// <summary>TLS listeners: true when the TLS stream is passed through untouched.</summary>
    public bool TlsPassthrough { get; init; }

    /// <summary>Frontend client-certificate validation (HTTPS), if configured for this port.</summary>
    public ClientValidationIr? ClientValidation { get; init; }

    /// <summary>HTTP/HTTPS listeners: the compiled routing table (HTTPRoute and GRPCRoute).</summary>
    public HttpRouteTableIr? Http { get; init; }

    /// <summary>TCP, UDP and TLS listeners: the routes, by SNI hostname for TLS, first-come for TCP/UDP.</summary>
    public EquatableArray<L4RouteIr> L4Routes { get; init; } = EquatableArray<L4RouteIr>.Empty;

    /// <summary>The effective Envoy Gateway ClientTrafficPolicy of this listener, or null.</summary>
    public ClientTrafficIr? ClientTraffic { get; init; }
}

/// <summary>A certificate chain and key from a <c>kubernetes.io/tls</c> Secret. The key never appears in dumps or logs.</summary>
public sealed record TlsCertificateIr
{
    /// <summary><c>namespace/name</c> of the Secret.</summary>
    public required string Source { get; init; }
    public required string CertificatePem { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public string PrivateKeyPem { get; init; } = "";

    /// <summary>DNS names of the leaf (SAN DNS entries, else CN), for SNI selection.</summary>
    public EquatableArray<string> DnsNames { get; init; } = EquatableArray<string>.Empty;

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Source = ").Append(Source).Append(", PrivateKeyPem = <redacted>");
        return true;
    }
}
