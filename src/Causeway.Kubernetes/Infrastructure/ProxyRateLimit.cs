namespace Causeway.Kubernetes.Infrastructure;

/// <summary>
/// Where the proxies the controller provisions count global rate limits, in Envoy Gateway's shape
/// (<c>rateLimit.backend.redis.url</c> or <c>urlRef.secretKeyRef</c>, <c>rateLimit.timeout</c>, <c>rateLimit.failClosed</c>):
/// passed to every proxy Deployment as <c>CAUSEWAY_RATE_LIMIT_REDIS</c> (a literal URL without a password, or taken from
/// a Secret key in the proxies' namespace) and <c>causeway proxy</c> flags.
/// </summary>
public sealed record ProxyRateLimit
{
    /// <summary>A Redis URL without a password (it would be readable in the Deployment); else use <see cref="SecretName"/>.</summary>
    public string? RedisUrl { get; init; }

    /// <summary>A Secret in the proxies' namespace whose <see cref="SecretKey"/> holds the Redis URL (passwords belong there).</summary>
    public string? SecretName { get; init; }

    public string? SecretKey { get; init; }

    /// <summary><c>--rate-limit-redis-timeout</c> of the proxies (e.g. <c>100ms</c>).</summary>
    public string Timeout { get; init; } = "100ms";

    public bool FailClosed { get; init; }

    public bool Configured => RedisUrl is not null || SecretName is not null;
}
