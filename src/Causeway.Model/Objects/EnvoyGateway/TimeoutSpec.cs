namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record TimeoutSpec
{
    public TcpTimeoutSpec? Tcp { get; init; }
    public HttpTimeoutSpec? Http { get; init; }
}
