namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>One subject alternative name matcher: Exact (default), Prefix, Suffix or RegularExpression; otherNames add an OID.</summary>
public sealed record SanMatchSpec
{
    public string? Type { get; init; }
    public string Value { get; init; } = "";
    public string? Oid { get; init; }
}
