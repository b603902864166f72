namespace Causeway.Translation.Ir;

/// <summary>
/// What a matching request costs its counter (<c>cost.request.number</c>; 0 only checks the counter) and what is
/// charged once its exchange is over (<c>cost.response.number</c>: it limits the requests that follow, not this one).
/// </summary>
public sealed record RateLimitCostIr
{
    public long Request { get; init; } = 1;

    public long Response { get; init; }
}
