namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary><c>oidc.forwardIDToken</c>: the request header that carries the ID token to the backend.</summary>
public sealed record OidcForwardIdTokenSpec
{
    public string? Header { get; init; }
}
