namespace Causeway.Translation.Ir;

/// <summary>Answer <see cref="HttpStatus"/> (or the gRPC status) instead of forwarding, for <see cref="Percentage"/> of requests.</summary>
public sealed record FaultAbortIr
{
    public int? HttpStatus { get; init; }
    public int? GrpcStatus { get; init; }
    public double Percentage { get; init; } = 100;
}
