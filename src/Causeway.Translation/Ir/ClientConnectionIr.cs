namespace Causeway.Translation.Ir;

/// <summary>
/// The connection-level ClientTrafficPolicy settings of a bound port (one socket serves every listener on it, so
/// they are the port's): the PROXY protocol header and the concurrent connection limit.
/// </summary>
public sealed record ClientConnectionIr
{
    /// <summary><c>namespace/name</c> of the policy these settings come from.</summary>
    public required string Policy { get; init; }

    /// <summary>Connections start with a PROXY protocol header (v1 or v2); null: they do not.</summary>
    public ProxyProtocolIr? ProxyProtocol { get; init; }

    /// <summary>At most this many client connections at once; null: no limit.</summary>
    public long? ConnectionLimit { get; init; }

    /// <summary>How long a connection over the limit is held before it is closed.</summary>
    public TimeSpan? ConnectionLimitCloseDelay { get; init; }
}
