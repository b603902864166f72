namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary><c>localJWKS</c>: a JSON Web Key Set written inline or held by a ConfigMap (key <c>jwks</c>).</summary>
public sealed record LocalJwksSpec
{
    /// <summary><c>Inline</c> (default) or <c>ValueRef</c>.</summary>
    public string? Type { get; init; }
    public string? Inline { get; init; }
    public LocalObjectReference? ValueRef { get; init; }
}
