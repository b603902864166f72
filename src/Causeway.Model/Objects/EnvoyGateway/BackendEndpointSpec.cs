namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>One endpoint of a Backend: exactly one of <see cref="Ip"/>, <see cref="Fqdn"/> and <see cref="Unix"/>.</summary>
public sealed record BackendEndpointSpec
{
    public IpEndpointSpec? Ip { get; init; }
    public FqdnEndpointSpec? Fqdn { get; init; }
    public UnixSocketSpec? Unix { get; init; }

    /// <summary>The endpoint's hostname (used for SNI with <c>autoSNIFromEndpointHostname</c>).</summary>
    public string? Hostname { get; init; }
    public string? Zone { get; init; }
}
