namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record IpEndpointSpec
{
    public string Address { get; init; } = "";
    public int Port { get; init; }
}
