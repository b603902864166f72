namespace Causeway.Translation.Ir;

/// <summary>The PROXY protocol header the gateway writes first on a backend connection (BackendTrafficPolicy <c>proxyProtocol.version</c>).</summary>
public enum BackendProxyProtocolVersion
{
    /// <summary>The text header (<c>PROXY TCP4 ...\r\n</c>).</summary>
    V1,
    /// <summary>The binary header.</summary>
    V2,
}
