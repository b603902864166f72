namespace Causeway.DataPlane.Transports.ProxyProtocol;

/// <summary>What <see cref="ProxyHeaderParser.Parse"/> found at the start of a connection's bytes.</summary>
internal enum ProxyHeaderStatus
{
    /// <summary>A header may start here but more bytes are needed.</summary>
    Incomplete,
    /// <summary>A complete, valid header (v1 or v2) of <c>consumed</c> bytes.</summary>
    Complete,
    /// <summary>The bytes do not start with a PROXY header signature (served only when the header is optional).</summary>
    Absent,
    /// <summary>A header signature followed by something that is not a valid header: the connection is closed.</summary>
    Invalid,
}
