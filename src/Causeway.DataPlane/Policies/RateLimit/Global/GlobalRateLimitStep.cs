using System.Globalization;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using Causeway.Translation.Ir;
using StackExchange.Redis;

namespace Causeway.DataPlane.Policies.RateLimit.Global;

/// <summary>
/// BackendTrafficPolicy <c>rateLimit.global</c>: every rule whose conditions the request meets charges its cost to a
/// fixed-window counter in Redis, shared by every proxy of the Gateway, in one round trip for all of them. A counter is
/// named by a hash of the gateway, the policy, the route rule (the policy instead when <c>shared</c>), the rule and its
/// settings, the request's distinct selector values, and the window number (wall-clock seconds / unit): nothing that
/// is particular to one process, so replicas count together. Over the limit the gateway answers 429 as Envoy's global
/// rate limit does (<c>x-ratelimit-*</c> of the strictest counter, <c>x-envoy-ratelimited: true</c>, no body) unless the
/// rule is in shadow mode; a passed request's response carries the strictest counter's headers. When Redis fails or
/// is slower than the timeout the request passes uncounted, or gets 500 with <c>--rate-limit-fail-closed</c>.
/// </summary>
internal sealed class GlobalRateLimitStep : AsyncDecideStep
{
    private readonly string _policy;
    private readonly Rule[] _rules;
    private readonly RedisCounters? _redis;
    private readonly bool _failClosed;
    private readonly bool _readsPath;
    private readonly bool _chargesResponses;

    /// <param name="scope">The route rule's name (per-rule counters); shared rules use the policy alone.</param>
    /// <param name="redis">The process's Redis; null: none configured.</param>
    public GlobalRateLimitStep(string gateway, string policy, string scope, IEnumerable<RateLimitRuleIr> rules, RedisCounters? redis)
    {
        _policy = policy;
        _redis = redis;
        _failClosed = redis?.Options.FailClosed ?? false;
        _rules = [.. rules.Select(r => new Rule(new RateLimitRule(r, null), KeyPrefix(gateway, policy, r.Shared ? "*" : scope, r)))];
        _chargesResponses = _rules.Any(r => r.ResponseCost > 0);
        _readsPath = _rules.Any(r => r.Limit.Ir.Conditions.Any(c => c.Kind == RateLimitConditionKind.Path));
    }

    public override StepStage Stage => StepStage.RateLimit;

    /// <summary>A path condition reads the decoded path, which byte transports do not make for escaped paths.</summary>
    protected override bool NeedsFullPipeline<TRequest>(in TRequest request) => _readsPath && request.DecodedPath is null;

    public override ValueTask<DecideOutcome> Start<TRequest>(in TRequest request, in RequestFacts facts)
    {
        var state = facts.Policy!;
        RedisKey[]? keys = null;
        Rule[]? matched = null;
        var count = 0;
        var nowSeconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach (var rule in _rules)
        {
            if (!rule.Limit.Matches(request, state, out var distinct)) continue;
            keys ??= new RedisKey[_rules.Length];
            matched ??= new Rule[_rules.Length];
            keys[count] = rule.Key(distinct, nowSeconds);
            matched[count++] = rule;
        }
        if (count == 0) return new(DecideOutcome.Continue);
        if (_redis is not { Configured: true } redis)
        {
            _redis?.WarnNotConfigured(_policy);
            return new(Failed());
        }
        var arguments = new RedisValue[count * 2];
        for (var i = 0; i < count; i++)
        {
            arguments[2 * i] = matched![i].Cost;
            arguments[2 * i + 1] = matched[i].ExpiryMilliseconds;
        }
        if (count < keys!.Length) Array.Resize(ref keys, count);
        return DecideAsync(redis, keys, arguments, matched!, count, nowSeconds, state);
    }

    private async ValueTask<DecideOutcome> DecideAsync(RedisCounters redis, RedisKey[] keys, RedisValue[] arguments, Rule[] matched, int count,
        long nowSeconds, RequestPolicyState state)
    {
        var counters = await redis.ChargeAsync(keys, arguments).ConfigureAwait(false);
        if (counters is null || counters.Length != count) return Failed();
        if (_chargesResponses) ChargeResponses(redis, keys, matched, count, state);
        Rule? over = null;
        var shadowOver = false;
        for (var i = 0; i < count; i++)
        {
            var rule = matched[i];
            var used = counters[i];
            var limit = rule.Limit.Ir.Requests;
            if (used > limit)
            {
                if (rule.Limit.Ir.ShadowMode)
                {
                    shadowOver = true;
                    continue;
                }
                if (over is null || limit < over.Limit.Ir.Requests) over = rule;
                continue;
            }
            if (rule.Limit.Ir.Headers) state.OfferRateLimit(limit, limit - used, rule.Reset(nowSeconds));
        }
        if (over is null)
        {
            redis.Decided(shadowOver ? GlobalDecision.ShadowLimited : GlobalDecision.Allowed);
            return DecideOutcome.Continue;
        }
        redis.Decided(GlobalDecision.Limited);
        var reply = new LocalReply(429);
        if (over.Limit.Ir.Headers)
        {
            reply.Headers.Add(new(RateLimitHeaders.Limit, over.Limit.Ir.Requests.ToString(CultureInfo.InvariantCulture)));
            reply.Headers.Add(new(RateLimitHeaders.Remaining, "0"));
            reply.Headers.Add(new(RateLimitHeaders.Reset, over.Reset(nowSeconds).ToString(CultureInfo.InvariantCulture)));
        }
        reply.Headers.Add(new("x-envoy-ratelimited", "true"));
        return DecideOutcome.Answer(reply);
    }

    /// <summary>The response costs of the matched rules that have one, charged when the exchange is over.</summary>
    private static void ChargeResponses(RedisCounters redis, RedisKey[] keys, Rule[] matched, int count, RequestPolicyState state)
    {
        var n = 0;
        for (var i = 0; i < count; i++) if (matched[i].ResponseCost > 0) n++;
        if (n == 0) return;
        var responseKeys = new RedisKey[n];
        var arguments = new RedisValue[n * 2];
        n = 0;
        for (var i = 0; i < count; i++)
        {
            if (matched[i].ResponseCost <= 0) continue;
            responseKeys[n] = keys[i];
            arguments[2 * n] = matched[i].ResponseCost;
            arguments[2 * n + 1] = matched[i].ExpiryMilliseconds;
            n++;
        }
        state.ChargeAfterResponse(new ResponseCharge(redis, responseKeys, arguments));
    }

    /// <summary>Redis failed, timed out or is not configured: through uncounted (fail open) or 500 (fail closed).</summary>
    private DecideOutcome Failed()
    {
        _redis?.Decided(_failClosed ? GlobalDecision.FailedClosed : GlobalDecision.FailedOpen);
        return _failClosed ? DecideOutcome.Answer(LocalReply.Empty(500)) : DecideOutcome.Continue;
    }

    public override string Describe() => $"rate-limit global {_policy}: " + string.Join("; ", _rules.Select(r => r.Limit.Describe()));

    /// <summary>
    /// <c>causeway:rl:HASH:</c>, the hash (SHA-256, 96 bits in hex) of what defines the counter: a changed rule starts
    /// from zero, as the local limit does. Length-prefixed parts, so no two definitions share a prefix.
    /// </summary>
    internal static string KeyPrefix(string gateway, string policy, string scope, RateLimitRuleIr r)
    {
        var settings = $"{r.Requests}/{r.UnitSeconds}|" + string.Join(";", r.Conditions.Select(c => $"{c.Kind}:{c.Match}:{c.Name}:{c.Invert}:{string.Join(",", c.Values)}"));
        var definition = string.Join("|", new[] { gateway, policy, scope, r.Index.ToString(CultureInfo.InvariantCulture), settings }.Select(p => p.Length.ToString(CultureInfo.InvariantCulture) + ":" + p));
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(definition));
        return "causeway:rl:" + Convert.ToHexStringLower(hash.AsSpan(0, 12)) + ":";
    }

    private sealed class Rule(RateLimitRule limit, string prefix)
    {
        public RateLimitRule Limit { get; } = limit;

        public long Cost { get; } = limit.Ir.Cost?.Request ?? 1;

        public long ResponseCost { get; } = limit.Ir.Cost?.Response ?? 0;

        /// <summary>A window's counter outlives the window by a second (clocks of replicas differ a little).</summary>
        public long ExpiryMilliseconds { get; } = (limit.Ir.UnitSeconds + 1) * 1000;

        /// <summary>The counter for <paramref name="distinct"/> values in the window of <paramref name="nowSeconds"/>.</summary>
        public RedisKey Key(string? distinct, long nowSeconds)
        {
            var window = (nowSeconds / Limit.Ir.UnitSeconds).ToString(CultureInfo.InvariantCulture);
            if (distinct is null) return prefix + "-:" + window;
            var hash = XxHash128.HashToUInt128(Encoding.UTF8.GetBytes(distinct));
            return prefix + hash.ToString("x32", CultureInfo.InvariantCulture) + ":" + window;
        }

        /// <summary>Seconds until the window ends (at least 1).</summary>
        public long Reset(long nowSeconds) => Math.Max(1, Limit.Ir.UnitSeconds - nowSeconds % Limit.Ir.UnitSeconds);
    }
}
