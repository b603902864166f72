using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>API key authentication: the known keys by client id and where a request carries its key.</summary>
public sealed record ApiKeyAuthIr
{
    public EquatableArray<ApiKeyClientIr> Clients { get; init; } = EquatableArray<ApiKeyClientIr>.Empty;

    /// <summary>Where keys are looked for, in order; the first source present is used.</summary>
    public EquatableArray<CredentialSourceIr> Sources { get; init; } = EquatableArray<CredentialSourceIr>.Empty;

    public string? ForwardClientIdHeader { get; init; }

    /// <summary>Remove the key from the request before it goes to the backend.</summary>
    public bool Sanitize { get; init; }
}
