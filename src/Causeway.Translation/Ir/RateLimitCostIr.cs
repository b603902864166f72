namespace Causeway.Translation.Ir;

/// <summary>What a matching request costs its counter (<c>cost.request.number</c>; 0 only checks the counter).</summary>
public sealed record RateLimitCostIr
{
    public long Request { get; init; } = 1;
}
