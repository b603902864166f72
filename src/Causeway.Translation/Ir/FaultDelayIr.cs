namespace Causeway.Translation.Ir;

/// <summary>Wait <see cref="Delay"/> before forwarding, for <see cref="Percentage"/> of requests.</summary>
public sealed record FaultDelayIr
{
    public required TimeSpan Delay { get; init; }
    public double Percentage { get; init; } = 100;
}
