namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>ClientTrafficPolicy <c>proxyProtocol</c>: connections start with a PROXY protocol (v1 or v2) header.</summary>
public sealed record ProxyProtocolSpec
{
    public bool? Optional { get; init; }
}
