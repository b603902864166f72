using System.Diagnostics;
using System.Text;

namespace Causeway.DataPlane.Policies.RateLimit;

/// <summary>
/// BackendTrafficPolicy <c>rateLimit.local</c>: every rule whose conditions the request meets takes a token from its
/// bucket, strictest rule first; when one has none left the gateway answers 429 as Envoy's local rate limit does
/// (<c>x-ratelimit-limit</c>, <c>x-ratelimit-remaining: 0</c>, <c>x-ratelimit-reset</c>, <c>x-envoy-ratelimited</c>, body
/// <c>local_rate_limited</c>). A passed request's response carries the strictest bucket's headers. Decide-only:
/// runs on every transport, the HTTP/1.1 event loop included.
/// </summary>
internal sealed class LocalRateLimitStep : DecideStep
{
    private static readonly ReadOnlyMemory<byte> Body = Encoding.ASCII.GetBytes("local_rate_limited");

    private readonly string _policy;
    private readonly RateLimitRule[] _rules;

    public LocalRateLimitStep(string policy, IEnumerable<RateLimitRule> rules)
    {
        _policy = policy;
        _rules = [.. rules.OrderBy(r => r.Rate)];
    }

    public override StepStage Stage => StepStage.RateLimit;

    public override TransportSet Transports => TransportSet.All;

    public override bool UsesPolicyState => true;

    public override StepVerdict Decide<TRequest>(in TRequest request, in RequestFacts facts, out LocalReply? reply)
    {
        reply = null;
        // Decide before anything is counted: a request handed on is decided again by the next transport.
        if (request.DecodedPath is null) return StepVerdict.NeedsFullPipeline;
        var now = Stopwatch.GetTimestamp();
        foreach (var rule in _rules)
        {
            if (!rule.Matches(request, facts.Policy, out var distinct)) continue;
            var bucket = rule.Buckets.Get(distinct);
            if (!bucket.TryTake(now, out var remaining, out var reset))
            {
                reply = new LocalReply(429) { Body = Body, ContentType = "text/plain" };
                if (rule.Ir.Headers)
                {
                    reply.Headers.Add(new(RateLimitHeaders.Limit, bucket.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    reply.Headers.Add(new(RateLimitHeaders.Remaining, "0"));
                    reply.Headers.Add(new(RateLimitHeaders.Reset, reset.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }
                reply.Headers.Add(new("x-envoy-ratelimited", "true"));
                return StepVerdict.Reply;
            }
            if (rule.Ir.Headers) facts.Policy?.OfferRateLimit(bucket.Limit, remaining, reset);
        }
        return StepVerdict.Continue;
    }

    public override string Describe() => $"rate-limit local {_policy}: " + string.Join("; ", _rules.Select(r => r.Describe()));
}
