using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>
/// The effective Envoy Gateway BackendTrafficPolicy of a route rule, as plain data: the most specific attached policy
/// (route rule &gt; route &gt; listener &gt; Gateway), whole. Retries and timeouts it sets are already folded into the
/// rule's <see cref="HttpRuleIr.Retry"/> and timeouts; what remains here are the steps only policies have.
/// </summary>
public sealed record BackendTrafficPolicyIr
{
    /// <summary><c>namespace/name</c> of the policy (state keys, plans, logs).</summary>
    public required string Policy { get; init; }

    /// <summary><c>useClientProtocol</c>: the backend is asked in the client's HTTP version (HTTP/2 or HTTP/1.1).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool UseClientProtocol { get; init; }

    public LocalRateLimitIr? LocalRateLimit { get; init; }

    public GlobalRateLimitIr? GlobalRateLimit { get; init; }

    public CircuitBreakerIr? CircuitBreaker { get; init; }

    public FaultAbortIr? FaultAbort { get; init; }

    public FaultDelayIr? FaultDelay { get; init; }

    public LoadBalancerIr? LoadBalancer { get; init; }

    public PassiveHealthIr? PassiveHealth { get; init; }

    public ActiveHealthIr? ActiveHealth { get; init; }

    /// <summary><c>requestBuffer.limit</c> in bytes: each request is received whole before it goes upstream; larger ones get 413.</summary>
    public long? RequestBufferLimit { get; init; }

    public CompressionIr? Compression { get; init; }

    public EquatableArray<ResponseOverrideIr> ResponseOverrides { get; init; } = EquatableArray<ResponseOverrideIr>.Empty;

    /// <summary>
    /// <c>healthCheck.panicThreshold</c>: below this percentage of healthy endpoints, health is disregarded and every
    /// endpoint takes traffic (Envoy's default 50; 0 disables panic mode).
    /// </summary>
    public int? PanicThreshold { get; init; }

    /// <summary><c>timeout.tcp.connectTimeout</c>: a backend connection not established within this time fails (null: the transport's default).</summary>
    public TimeSpan? ConnectTimeout { get; init; }

    /// <summary><c>proxyProtocol.version</c>: each backend connection starts with a PROXY header naming the client (null: none).</summary>
    public BackendProxyProtocolVersion? ProxyProtocol { get; init; }

    /// <summary><c>tcpKeepalive</c>: keep-alive probes on backend sockets (null: the operating system's default, off).</summary>
    public TcpKeepaliveIr? TcpKeepalive { get; init; }

    /// <summary><c>connection.bufferLimit</c> in bytes: at most this much is buffered per direction of a backend connection.</summary>
    public long? ConnectionBufferLimit { get; init; }

    /// <summary><c>dns.dnsRefreshRate</c>: DNS-named endpoints of the backends this policy reaches are resolved again this often.</summary>
    public TimeSpan? DnsRefreshRate { get; init; }

    /// <summary><c>dns</c> is set and its <c>respectDnsTtl</c> is not false: DNS-named endpoints are resolved again when their TTL runs out.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool DnsRespectTtl { get; init; }

    /// <summary><c>dns.lookupFamily</c>: which addresses of the DNS-named backends this policy reaches are used (null: not set).</summary>
    public DnsLookupFamily? DnsLookupFamily { get; init; }

    /// <summary>
    /// <c>httpUpgrade</c>: the only upgrade types forwarded on the rule (others get 403). Null: the field is absent,
    /// and the default applies (websocket, or none when <see cref="RequestBufferLimit"/> is set).
    /// </summary>
    public HttpUpgradeIr? HttpUpgrade { get; init; }

    /// <summary><c>bandwidthLimit</c>: request bodies sent to and response bodies received from the backend are paced (null: unlimited).</summary>
    public BandwidthLimitIr? BandwidthLimit { get; init; }
}
