namespace Causeway.Model.Objects;

/// <summary><c>numerator/denominator</c> of requests sampled (denominator defaults to 100).</summary>
public sealed record SamplingFraction
{
    public int Numerator { get; init; }
    public int? Denominator { get; init; }
}
