namespace Causeway.Translation.Ir;

/// <summary>A client id and its API key.</summary>
public sealed record ApiKeyClientIr(string ClientId, SecretText Key);
