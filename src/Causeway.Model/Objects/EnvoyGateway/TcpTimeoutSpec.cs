namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record TcpTimeoutSpec
{
    public string? ConnectTimeout { get; init; }
}
