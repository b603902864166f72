namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record FaultInjectionDelaySpec
{
    public string? FixedDelay { get; init; }
    public double? Percentage { get; init; }
}
