using System.Diagnostics;
using Causeway.Telemetry;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Causeway.DataPlane.Policies.RateLimit.Global;

/// <summary>
/// The process's connection to the Redis that counts global rate limits: one multiplexer, connected in the background
/// and reconnected by the client when Redis comes back; while it is away a request fails at once instead of queueing.
/// A request's counters are charged in one round trip (<see cref="Script"/>: INCRBY per key, expiry set when the key is
/// new). Exposes <c>causeway_ratelimit_redis_*</c> and <c>causeway_ratelimit_global_decisions_total</c>.
/// </summary>
internal sealed partial class RedisCounters : IMetricsCollector, IAsyncDisposable
{
    /// <summary>
    /// KEYS: the counters; ARGV: cost and expiry (ms) per key. Returns each counter after the charge. A key without an
    /// expiry gets one (new, or left without by anything else), so an abandoned window never stays in Redis.
    /// </summary>
    internal const string Script = """
        local r = {}
        for i = 1, #KEYS do
          local n = redis.call('INCRBY', KEYS[i], ARGV[2 * i - 1])
          if redis.call('PTTL', KEYS[i]) < 0 then redis.call('PEXPIRE', KEYS[i], ARGV[2 * i]) end
          r[i] = n
        end
        return r
        """;

    private static readonly double[] SecondsBounds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

    private readonly GlobalRateLimitOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _connecting;
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);
    private volatile ConnectionMultiplexer? _redis;
    private long _ok, _error, _timeout, _responseSent, _responseDropped;
    private int _down;
    private readonly long[] _decisions = new long[Enum.GetValues<GlobalDecision>().Length];

    public RedisCounters(GlobalRateLimitOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _connecting = options.Redis is null ? Task.CompletedTask : ConnectAsync(options.Redis);
    }

    public GlobalRateLimitOptions Options => _options;

    /// <summary>Whether a Redis is configured (else every charge fails as configured).</summary>
    public bool Configured => _options.Redis is not null;

    public Histogram Latency { get; } = new(SecondsBounds);

    private async Task ConnectAsync(RedisAddress address)
    {
        try
        {
            var redis = await ConnectionMultiplexer.ConnectAsync(address.Configuration(_options.Timeout)).ConfigureAwait(false);
            // Said once per outage (the client reports every failed reconnection attempt).
            redis.ConnectionFailed += (_, e) =>
            {
                if (Interlocked.Exchange(ref _down, 1) == 0) LogConnectionLost(_logger, address.ToString(), e.FailureType.ToString());
            };
            redis.ConnectionRestored += (_, _) =>
            {
                if (Interlocked.Exchange(ref _down, 0) == 1) LogConnectionRestored(_logger, address.ToString());
            };
            if (_stop.IsCancellationRequested)
            {
                await redis.DisposeAsync().ConfigureAwait(false);
                return;
            }
            await WarmUpAsync(redis).ConfigureAwait(false);
            _redis = redis;
            if (redis.IsConnected) LogConnected(_logger, address.ToString());
            else LogNotYetConnected(_logger, address.ToString());
        }
        catch (Exception ex)
        {
            // Only a malformed configuration ends here (AbortOnConnectFail is off): the message names no password.
            LogConnectFailed(_logger, address.ToString(), ex.GetType().Name);
        }
    }

    /// <summary>
    /// Runs the script once without keys before the first request does: the client's code is compiled and Redis has
    /// the script cached, so the first requests are not the ones that wait for both (they would fail open on a short
    /// timeout). Best effort: a Redis that is not there yet is warmed by the requests themselves.
    /// </summary>
    private static async Task WarmUpAsync(ConnectionMultiplexer redis)
    {
        if (!redis.IsConnected) return;
        try
        {
            await redis.GetDatabase().ScriptEvaluateAsync(Script, [], []).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Counted and handled per request from here on.
        }
    }

    /// <summary>Says once per policy that it has no Redis to count in (the status says so too, in standalone mode).</summary>
    public void WarnNotConfigured(string policy)
    {
        lock (_warned)
            if (!_warned.Add(policy)) return;
        LogNotConfigured(_logger, policy, _options.FailClosed ? "answered 500 (--rate-limit-fail-closed)" : "allowed and not counted");
    }

    /// <summary>
    /// Charges <paramref name="costs"/> to <paramref name="keys"/> (one round trip) and returns the counters after the
    /// charge, or null when Redis failed or did not answer within the timeout. Never throws.
    /// </summary>
    public async ValueTask<long[]?> ChargeAsync(RedisKey[] keys, RedisValue[] arguments)
    {
        if (_redis is not { IsConnected: true } redis)
        {
            Interlocked.Increment(ref _error);
            return null;
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await redis.GetDatabase().ScriptEvaluateAsync(Script, keys, arguments).WaitAsync(_options.Timeout).ConfigureAwait(false);
            Latency.ObserveTicks(Stopwatch.GetTimestamp() - started);
            Interlocked.Increment(ref _ok);
            return (long[]?)result;
        }
        catch (TimeoutException)
        {
            Latency.ObserveTicks(Stopwatch.GetTimestamp() - started);
            Interlocked.Increment(ref _timeout);
            return null;
        }
        catch (Exception)
        {
            Latency.ObserveTicks(Stopwatch.GetTimestamp() - started);
            Interlocked.Increment(ref _error);
            return null;
        }
    }

    /// <summary>Charges response costs without waiting (<see cref="CommandFlags.FireAndForget"/>); dropped while Redis is away.</summary>
    public void ChargeAfterResponse(RedisKey[] keys, RedisValue[] arguments)
    {
        if (_redis is not { IsConnected: true } redis)
        {
            Interlocked.Increment(ref _responseDropped);
            return;
        }
        try
        {
            redis.GetDatabase().ScriptEvaluate(Script, keys, arguments, CommandFlags.FireAndForget);
            Interlocked.Increment(ref _responseSent);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _responseDropped);
        }
    }

    public void Decided(GlobalDecision decision) => Interlocked.Increment(ref _decisions[(int)decision]);

    public void Collect(MetricsWriter w)
    {
        const string requests = "causeway_ratelimit_redis_requests_total";
        const string help = "Round trips to the global rate limit's Redis by result (error includes Redis being unreachable)";
        w.Add(requests, MetricType.Counter, help, ["result"], ["ok"], Interlocked.Read(ref _ok));
        w.Add(requests, MetricType.Counter, help, ["result"], ["error"], Interlocked.Read(ref _error));
        w.Add(requests, MetricType.Counter, help, ["result"], ["timeout"], Interlocked.Read(ref _timeout));
        w.Add("causeway_ratelimit_redis_connected", MetricType.Gauge, "Whether the global rate limit's Redis is connected (1) or not (0)", [], [], _redis is { IsConnected: true } ? 1 : 0);
        w.AddHistogram("causeway_ratelimit_redis_duration_seconds", "Time of one round trip to the global rate limit's Redis", [], [], Latency.Snapshot());
        const string charges = "causeway_ratelimit_redis_response_charges_total";
        const string chargesHelp = "Response costs (cost.response) charged after exchanges, fire-and-forget, by result (dropped: Redis away)";
        w.Add(charges, MetricType.Counter, chargesHelp, ["result"], ["sent"], Interlocked.Read(ref _responseSent));
        w.Add(charges, MetricType.Counter, chargesHelp, ["result"], ["dropped"], Interlocked.Read(ref _responseDropped));
        const string decisions = "causeway_ratelimit_global_decisions_total";
        const string decisionsHelp = "Requests a global rate limit decided, by outcome (limited: answered 429; shadow_limited: over the limit in shadow mode, allowed)";
        foreach (var d in Enum.GetValues<GlobalDecision>())
            w.Add(decisions, MetricType.Counter, decisionsHelp, ["result"], [Label(d)], Interlocked.Read(ref _decisions[(int)d]));
    }

    private static string Label(GlobalDecision d) => d switch
    {
        GlobalDecision.Allowed => "allowed",
        GlobalDecision.Limited => "limited",
        GlobalDecision.ShadowLimited => "shadow_limited",
        GlobalDecision.FailedOpen => "failed_open",
        _ => "failed_closed",
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _connecting.ConfigureAwait(false);
        if (_redis is { } redis) await redis.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Global rate limits count in Redis at {Address}")]
    private static partial void LogConnected(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis for global rate limits at {Address} is not reachable yet; retrying (requests fail open or closed meanwhile)")]
    private static partial void LogNotYetConnected(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot use Redis for global rate limits at {Address}: {Error}")]
    private static partial void LogConnectFailed(ILogger logger, string address, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost Redis for global rate limits at {Address} ({Failure}); reconnecting")]
    private static partial void LogConnectionLost(ILogger logger, string address, string failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis for global rate limits at {Address} is back")]
    private static partial void LogConnectionRestored(ILogger logger, string address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "BackendTrafficPolicy {Policy}: rateLimit.global has no Redis to count in (causeway run|proxy --rate-limit-redis or CAUSEWAY_RATE_LIMIT_REDIS); its requests are {Outcome}")]
    private static partial void LogNotConfigured(ILogger logger, string policy, string outcome);
}

/// <summary>What a global rate limit did with a request.</summary>
internal enum GlobalDecision { Allowed, Limited, ShadowLimited, FailedOpen, FailedClosed }
