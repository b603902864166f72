using StackExchange.Redis;

namespace Causeway.DataPlane.Policies.RateLimit.Global;

/// <summary>
/// A global rate limit's <c>cost.response</c> for one exchange: the counters its request charged (same keys, same
/// window), charged again once the exchange is over, fire-and-forget (the client never waits for it). Made only when a
/// matched rule has a response cost; run once by <see cref="RequestPolicyState.Complete(int, bool)"/>.
/// </summary>
internal sealed class ResponseCharge(RedisCounters redis, RedisKey[] keys, RedisValue[] arguments)
{
    public void Send() => redis.ChargeAfterResponse(keys, arguments);
}
