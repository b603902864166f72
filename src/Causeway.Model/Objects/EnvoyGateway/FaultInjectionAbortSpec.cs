namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record FaultInjectionAbortSpec
{
    public int? HttpStatus { get; init; }
    public int? GrpcStatus { get; init; }
    public double? Percentage { get; init; }
}
