namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record PerRetrySpec
{
    public string? Timeout { get; init; }
    public BackOffSpec? BackOff { get; init; }
}
