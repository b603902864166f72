using System.CommandLine;
using System.Globalization;
using Causeway.DataPlane.Policies.RateLimit.Global;

namespace Causeway.Cli.Commands;

/// <summary>
/// <c>--rate-limit-redis URL</c> (or <c>CAUSEWAY_RATE_LIMIT_REDIS</c>), <c>--rate-limit-redis-timeout DURATION</c> and
/// <c>--rate-limit-fail-closed</c>: where <c>run</c> and <c>proxy</c> count BackendTrafficPolicy global rate limits
/// (Envoy Gateway's <c>rateLimit.backend.redis.url</c>, <c>rateLimit.timeout</c> and <c>rateLimit.failClosed</c>).
/// </summary>
internal sealed class RateLimitOptions
{
    public const string RedisVariable = "CAUSEWAY_RATE_LIMIT_REDIS";

    public Option<string?> Redis { get; } = new("--rate-limit-redis")
    {
        Description = "Redis that counts global rate limits: redis://[USER:PASSWORD@]HOST:PORT[/DB] (rediss:// for TLS); default $" + RedisVariable,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(RedisVariable) is { Length: > 0 } url ? url : null,
    };

    public Option<string> Timeout { get; } = new("--rate-limit-redis-timeout")
    {
        Description = "Longest wait for Redis per request, e.g. 100ms or 1s; then the request fails open (or closed)",
        DefaultValueFactory = _ => "100ms",
    };

    public Option<bool> FailClosed { get; } = new("--rate-limit-fail-closed")
    {
        Description = "Answer 500 when Redis fails or is too slow (default: let the request through uncounted)",
    };

    public IEnumerable<Option> All => [Redis, Timeout, FailClosed];

    /// <summary><c>causeway controller</c>: the Secret (in the proxies' namespace) whose key holds the Redis URL.</summary>
    public Option<string?> Secret { get; } = new("--rate-limit-redis-secret")
    {
        Description = "Secret NAME/KEY (in each proxy's namespace) holding the Redis URL for the proxies' global rate limits (Envoy Gateway's urlRef)",
    };

    /// <summary>
    /// <c>causeway controller</c>: what the proxy Deployments get. A literal URL with a password is refused (it would be
    /// readable in every Deployment): such a URL belongs in the Secret.
    /// </summary>
    public Causeway.Kubernetes.Infrastructure.ProxyRateLimit? ParseForProxies(ParseResult parse)
    {
        var parsed = Parse(parse);
        var secret = parse.GetValue(Secret);
        if (parsed.Redis is not null && secret is not null)
            throw new FormatException("--rate-limit-redis and --rate-limit-redis-secret: give one of them");
        if (parsed.Redis is { HasPassword: true })
            throw new FormatException("--rate-limit-redis: a URL with a password would be readable in every proxy Deployment; put it in a Secret and name it with --rate-limit-redis-secret NAME/KEY");
        string? name = null, key = null;
        if (secret is not null)
        {
            if (secret.Split('/') is not [{ Length: > 0 } n, { Length: > 0 } k])
                throw new FormatException($"--rate-limit-redis-secret '{secret}' is not NAME/KEY");
            (name, key) = (n, k);
        }
        if (parsed.Redis is null && name is null) return null;
        return new Causeway.Kubernetes.Infrastructure.ProxyRateLimit
        {
            RedisUrl = parse.GetValue(Redis),
            SecretName = name,
            SecretKey = key,
            Timeout = parse.GetValue(Timeout)!.Trim(),
            FailClosed = parsed.FailClosed,
        };
    }

    /// <summary>The data plane's settings; <see cref="FormatException"/> (never showing a password) when a value is malformed.</summary>
    public GlobalRateLimitOptions Parse(ParseResult parse)
    {
        var url = parse.GetValue(Redis);
        var text = parse.GetValue(Timeout)!;
        if (ParseDuration(text) is not { } timeout || timeout <= TimeSpan.Zero || timeout > TimeSpan.FromMinutes(1))
            throw new FormatException($"--rate-limit-redis-timeout '{text}' is not a duration between 1ms and 1m (e.g. 100ms)");
        RedisAddress? address;
        try { address = url is null ? null : RedisAddress.Parse(url); }
        catch (FormatException e) { throw new FormatException("--rate-limit-redis: " + e.Message); }
        return new GlobalRateLimitOptions { Redis = address, Timeout = timeout, FailClosed = parse.GetValue(FailClosed) };
    }

    /// <summary><c>250ms</c>, <c>1.5s</c>, <c>1m</c>, or a bare number of milliseconds.</summary>
    private static TimeSpan? ParseDuration(string text)
    {
        text = text.Trim();
        var (number, scale) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1.0)
            : text.EndsWith('s') ? (text[..^1], 1000.0)
            : text.EndsWith('m') ? (text[..^1], 60_000.0)
            : (text, 1.0);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? TimeSpan.FromMilliseconds(value * scale) : null;
    }
}
