namespace Causeway.Model.Objects.EnvoyGateway;

/// <summary>One <c>oidc.denyRedirect.headers</c> matcher: Exact (default), Prefix, Suffix or RegularExpression.</summary>
public sealed record OidcDenyRedirectHeaderSpec
{
    public string Name { get; init; } = "";
    public string? Type { get; init; }
    public string Value { get; init; } = "";
}
