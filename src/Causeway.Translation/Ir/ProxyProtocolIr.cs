namespace Causeway.Translation.Ir;

/// <summary>A port whose connections start with a PROXY protocol header (v1 text or v2 binary).</summary>
public sealed record ProxyProtocolIr
{
    /// <summary>Connections without the header are served too (with their peer as the client).</summary>
    public bool Optional { get; init; }
}
