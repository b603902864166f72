namespace Causeway.Translation.Ir;

/// <summary>What a matching request costs its counter (<c>cost.request.number</c>; 0 only checks) and what its response adds afterwards (<c>cost.response.number</c>).</summary>
public sealed record RateLimitCostIr
{
    public long Request { get; init; } = 1;

    public long Response { get; init; }
}
