namespace Causeway.Translation.Ir;

/// <summary>What an <see cref="EndpointIr"/>'s address is.</summary>
public enum EndpointKind
{
    /// <summary>An IP literal.</summary>
    Ip,
    /// <summary>A DNS name, resolved by the data plane at apply time and periodically (IPv4 preferred).</summary>
    Fqdn,
    /// <summary>A Unix domain socket path (the port is 0).</summary>
    Unix,
}
