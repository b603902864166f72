using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>JWT authentication: a token must validate against one of the providers (or be absent when optional).</summary>
public sealed record JwtIr
{
    public EquatableArray<JwtProviderIr> Providers { get; init; } = EquatableArray<JwtProviderIr>.Empty;

    /// <summary>A request without a token passes (an invalid token is still refused).</summary>
    public bool Optional { get; init; }
}
