namespace Causeway.Translation.Ir;

/// <summary>What a consistent-hash load balancer hashes.</summary>
public enum HashSourceKind
{
    SourceIp,
    Header,
    Cookie,
}
