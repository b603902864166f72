namespace Causeway.Translation.Ir;

/// <summary>A header (with an optional value prefix, e.g. <c>Bearer </c>), query parameter or cookie carrying a credential.</summary>
public sealed record CredentialSourceIr(CredentialSourceKind Kind, string Name, string? Prefix = null);
