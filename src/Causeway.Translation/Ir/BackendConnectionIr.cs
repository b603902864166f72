namespace Causeway.Translation.Ir;

/// <summary>
/// How the gateway opens connections to an HTTP backend, from the BackendTrafficPolicies of the rules using it
/// (<c>timeout.tcp.connectTimeout</c>, <c>tcpKeepalive</c>, <c>circuitBreaker.maxRequestsPerConnection</c>,
/// <c>circuitBreaker.perEndpoint.maxConnections</c>, <c>proxyProtocol</c>, <c>connection.bufferLimit</c>): the
/// backend's connection pools are shared by those rules, so the shortest connect timeout, the first keep-alive setting
/// and PROXY protocol version (in route order) and the smallest limits apply to all of them.
/// </summary>
public sealed record BackendConnectionIr
{
    public TimeSpan? ConnectTimeout { get; init; }
    public TcpKeepaliveIr? TcpKeepalive { get; init; }

    /// <summary>A connection that served this many requests is closed instead of going back to the pool (null: unlimited).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? MaxRequestsPerConnection { get; init; }

    /// <summary>At most this many connections to each endpoint of the backend (null: unlimited); a request needing one more is answered 503 overloaded.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? MaxConnectionsPerEndpoint { get; init; }

    /// <summary>Each new connection starts with a PROXY header describing the client connection the request came on (null: none).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public BackendProxyProtocolVersion? ProxyProtocol { get; init; }

    /// <summary>A soft limit, in bytes, on what a backend connection buffers per direction (null: the transports' defaults).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? BufferLimit { get; init; }
}
