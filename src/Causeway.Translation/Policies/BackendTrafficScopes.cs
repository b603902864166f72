using Causeway.Model.Objects.EnvoyGateway;

namespace Causeway.Translation.Policies;

/// <summary>
/// Which fields of a BackendTrafficPolicy a route kind cannot serve: requests-level fields mean nothing to a TCP or
/// TLS connection, connection-level fields nothing to UDP, and a few connection-level values are served only in part
/// for HTTP backends. A policy that reaches such a route keeps the field named in its status (a warning listing the
/// routes), never silently ignored.
/// </summary>
internal static class BackendTrafficScopes
{
    /// <summary>Fields set in <paramref name="spec"/> that a TCPRoute or TLSRoute ignores (with why).</summary>
    public static List<string> IgnoredByStreams(BackendTrafficPolicySpec spec)
    {
        var list = RequestLevel(spec);
        if (spec.LoadBalancer?.ConsistentHash?.Type is "Header" or "Cookie")
            list.Add($"spec.loadBalancer.consistentHash.type: {spec.LoadBalancer.ConsistentHash.Type} hashing needs requests, connections are hashed by source IP");
        if (spec.CircuitBreaker is { } cb)
        {
            if (cb.MaxPendingRequests is { } maxPendingRequests && maxPendingRequests != 1024) list.Add("spec.circuitBreaker.maxPendingRequests: applies to requests only");
            if (cb.MaxParallelRequests is { } maxParallelRequests && maxParallelRequests != 1024) list.Add("spec.circuitBreaker.maxParallelRequests: applies to requests only");
            if (cb.MaxParallelRetries is { } maxParallelRetries && maxParallelRetries != 1024) list.Add("spec.circuitBreaker.maxParallelRetries: applies to requests only");
            if (cb.MaxRequestsPerConnection is not null) list.Add("spec.circuitBreaker.maxRequestsPerConnection: applies to requests only");
            if (cb.RetryBudget is not null) list.Add("spec.circuitBreaker.retryBudget: applies to requests only");
            if (cb.PerEndpoint?.MaxConnections is not null) list.Add("spec.circuitBreaker.perEndpoint.maxConnections: not applied to TCP/TLS routes yet (circuitBreaker.maxConnections is)");
        }
        return list;
    }

    /// <summary>Fields set in <paramref name="spec"/> that a UDPRoute ignores: all but the load balancer.</summary>
    public static List<string> IgnoredByDatagrams(BackendTrafficPolicySpec spec)
    {
        var list = RequestLevel(spec);
        if (spec.LoadBalancer?.ConsistentHash?.Type is "Header" or "Cookie")
            list.Add($"spec.loadBalancer.consistentHash.type: {spec.LoadBalancer.ConsistentHash.Type} hashing needs requests, sessions are hashed by source IP");
        if (spec.HealthCheck is not null) list.Add("spec.healthCheck: not run for UDP routes");
        if (spec.CircuitBreaker is not null) list.Add("spec.circuitBreaker: not applied to UDP sessions");
        if (spec.Timeout?.Tcp is not null) list.Add("spec.timeout.tcp: UDP has no connections");
        if (spec.ProxyProtocol is not null) list.Add("spec.proxyProtocol: not sent on UDP sessions");
        if (spec.TcpKeepalive is not null) list.Add("spec.tcpKeepalive: UDP has no connections");
        if (spec.Connection is not null) list.Add("spec.connection: UDP has no connections");
        return list;
    }

    /// <summary>Fields set in <paramref name="spec"/> that HTTPRoute and GRPCRoute rules serve only in part (with how).</summary>
    public static List<string> LimitedForHttp(BackendTrafficPolicySpec spec)
    {
        var list = new List<string>();
        // The byte transports bound their backend buffers by the limit; YARP copies bodies through 64 KiB buffers.
        if (spec.Connection?.BufferLimit is { } limit && Quantities.Bytes(limit) is > 0 and < 64 * 1024)
            list.Add($"spec.connection.bufferLimit: {limit} is below 64Ki; exchanges the Kestrel pipeline forwards (HTTP/2 clients or backends, TLS backends, rules only it serves) copy bodies through buffers of up to 64 KiB");
        return list;
    }

    private static List<string> RequestLevel(BackendTrafficPolicySpec spec)
    {
        var list = new List<string>();
        if (spec.RateLimit is not null) list.Add("spec.rateLimit: applies to requests only");
        if (spec.FaultInjection is not null) list.Add("spec.faultInjection: applies to requests only");
        if (spec.Retry is not null) list.Add("spec.retry: applies to requests only");
        if (spec.Timeout?.Http is not null) list.Add("spec.timeout.http: applies to requests only");
        if (spec.RequestBuffer is not null) list.Add("spec.requestBuffer: applies to requests only");
        if (spec.Compressor is { Count: > 0 } || spec.Compression is { Count: > 0 }) list.Add("spec.compressor: applies to responses only");
        if (spec.ResponseOverride is { Count: > 0 }) list.Add("spec.responseOverride: applies to responses only");
        if (spec.HttpUpgrade is not null) list.Add("spec.httpUpgrade: applies to HTTP requests only");
        if (spec.BandwidthLimit is not null) list.Add("spec.bandwidthLimit: applies to HTTP request and response bodies only");
        if (spec.HealthCheck?.Passive is { } p && (p.Consecutive5XxErrors is not null || p.ConsecutiveGatewayErrors is not null))
            list.Add("spec.healthCheck.passive: only connect failures count on connections (consecutive5XxErrors and consecutiveGatewayErrors need responses)");
        return list;
    }
}
