namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record FaultInjectionSpec
{
    public FaultInjectionDelaySpec? Delay { get; init; }
    public FaultInjectionAbortSpec? Abort { get; init; }
}
