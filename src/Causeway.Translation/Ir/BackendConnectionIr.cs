namespace Causeway.Translation.Ir;

/// <summary>
/// How the gateway opens connections to an HTTP backend, from the BackendTrafficPolicies of the rules using it
/// (<c>timeout.tcp.connectTimeout</c>, <c>tcpKeepalive</c>, <c>circuitBreaker.maxRequestsPerConnection</c>): the
/// backend's connection pools are shared by those rules, so the shortest connect timeout, the first keep-alive setting
/// (in route order) and the smallest number of requests per connection apply to all of them.
/// </summary>
public sealed record BackendConnectionIr
{
    public TimeSpan? ConnectTimeout { get; init; }
    public TcpKeepaliveIr? TcpKeepalive { get; init; }

    /// <summary>A connection that served this many requests is closed instead of going back to the pool (null: unlimited).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? MaxRequestsPerConnection { get; init; }
}
