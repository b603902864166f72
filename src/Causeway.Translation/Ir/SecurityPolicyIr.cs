namespace Causeway.Translation.Ir;

/// <summary>
/// The effective Envoy Gateway SecurityPolicy of a route rule, as plain data: the most specific attached policy
/// (route rule &gt; route &gt; listener &gt; Gateway), whole. Secrets it holds are <see cref="SecretText"/>.
/// </summary>
public sealed record SecurityPolicyIr
{
    /// <summary><c>namespace/name</c> of the policy (state keys, plans, logs).</summary>
    public required string Policy { get; init; }

    public CorsIr? Cors { get; init; }

    public BasicAuthIr? BasicAuth { get; init; }

    public ApiKeyAuthIr? ApiKeyAuth { get; init; }

    public JwtIr? Jwt { get; init; }

    public OidcIr? Oidc { get; init; }

    public AuthorizationIr? Authorization { get; init; }

    public ExtAuthIr? ExtAuth { get; init; }
}
