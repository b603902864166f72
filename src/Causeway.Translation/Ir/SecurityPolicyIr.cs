using Causeway.Model;
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

    public CsrfIr? Csrf { get; init; }
}

/// <summary>
/// SecurityPolicy <c>csrf</c>: mutating requests (POST, PUT, DELETE, PATCH) need an Origin (else Referer) whose host
/// and port are the request's Host or match one of <see cref="AdditionalOrigins"/>; others are answered 403, except the
/// <see cref="ShadowFraction"/> of them, only counted.
/// </summary>
public sealed record CsrfIr
{
    /// <summary>Allowed origins as <c>host[:port]</c> patterns, lower case: exact, <c>*.suffix</c>, or <c>*</c> (any); schemes dropped.</summary>
    public EquatableArray<string> AdditionalOrigins { get; init; } = EquatableArray<string>.Empty;

    /// <summary>The share of requests evaluated without being enforced (0 to 1).</summary>
    public double ShadowFraction { get; init; }
}
