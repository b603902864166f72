namespace Causeway.Model.Objects.EnvoyGateway;

public sealed record FqdnEndpointSpec
{
    public string Hostname { get; init; } = "";
    public int Port { get; init; }
}
