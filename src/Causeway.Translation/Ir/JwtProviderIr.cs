using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>One JWT provider: issuer, audiences, its key set (inline JSON or a URI fetched by the data plane) and token sources.</summary>
public sealed record JwtProviderIr
{
    public required string Name { get; init; }

    /// <summary><c>recomputeRoute</c>: the route is chosen again with the claim headers set (the Kestrel pipeline).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool RecomputeRoute { get; init; }

    /// <summary>Required <c>iss</c>, or null for any.</summary>
    public string? Issuer { get; init; }

    /// <summary>Accepted <c>aud</c> values (one must be present), or empty for any.</summary>
    public EquatableArray<string> Audiences { get; init; } = EquatableArray<string>.Empty;

    /// <summary>The JWKS document, when local (inline or from a ConfigMap).</summary>
    public string? LocalJwks { get; init; }

    /// <summary>Where the JWKS is fetched from, when remote.</summary>
    public string? RemoteJwksUri { get; init; }

    /// <summary>How long fetched keys are used before they are fetched again.</summary>
    public TimeSpan CacheDuration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How soon a failed fetch is tried again.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Where the token is read from, in order (default: <c>Authorization: Bearer</c>, then <c>access_token</c>).</summary>
    public EquatableArray<CredentialSourceIr> Sources { get; init; } = EquatableArray<CredentialSourceIr>.Empty;

    public EquatableArray<ClaimToHeaderIr> ClaimToHeaders { get; init; } = EquatableArray<ClaimToHeaderIr>.Empty;
}
