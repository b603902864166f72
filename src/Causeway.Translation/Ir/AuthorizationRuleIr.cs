using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>
/// One authorization rule: it matches when every condition given matches (client address in one of the CIDRs, each
/// header with one of its values, the JWT of <see cref="JwtProvider"/> with every claim and scope, one of the methods, the path).
/// </summary>
public sealed record AuthorizationRuleIr
{
    public required string Name { get; init; }
    public bool Allow { get; init; }
    public EquatableArray<string> ClientCidrs { get; init; } = EquatableArray<string>.Empty;
    public EquatableArray<AuthorizationHeaderIr> Headers { get; init; } = EquatableArray<AuthorizationHeaderIr>.Empty;
    public string? JwtProvider { get; init; }
    public EquatableArray<JwtClaimMatchIr> Claims { get; init; } = EquatableArray<JwtClaimMatchIr>.Empty;
    public EquatableArray<string> Scopes { get; init; } = EquatableArray<string>.Empty;
    public EquatableArray<string> Methods { get; init; } = EquatableArray<string>.Empty;

    /// <summary>Path condition (null: any path).</summary>
    public AuthorizationPathIr? Path { get; init; }
}
