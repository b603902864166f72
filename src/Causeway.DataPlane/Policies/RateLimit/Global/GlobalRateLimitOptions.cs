namespace Causeway.DataPlane.Policies.RateLimit.Global;

/// <summary>
/// Where global rate limits are counted (process setting: <c>--rate-limit-redis</c>, <c>CAUSEWAY_RATE_LIMIT_REDIS</c>) and
/// what a request meets when Redis does not answer in time. Printing it never shows the password.
/// </summary>
public sealed record GlobalRateLimitOptions
{
    /// <summary>The Redis server; null: none configured (global limits then fail as <see cref="FailClosed"/> says).</summary>
    public RedisAddress? Redis { get; init; }

    /// <summary>Longest wait for Redis per request (Envoy Gateway's <c>rateLimit.timeout</c>); then the request fails open or closed.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Envoy Gateway's <c>rateLimit.failClosed</c>: when Redis errs or is too slow, false (the default) lets the
    /// request through uncounted, true answers 500.
    /// </summary>
    public bool FailClosed { get; init; }
}
