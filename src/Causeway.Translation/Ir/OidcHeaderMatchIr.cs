namespace Causeway.Translation.Ir;

/// <summary>A header matcher of <c>oidc.denyRedirect</c>: <see cref="Type"/> is Exact, Prefix, Suffix or RegularExpression.</summary>
public sealed record OidcHeaderMatchIr(string Name, string Type, string Value);
