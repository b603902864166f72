namespace Causeway.Translation.Ir;

/// <summary>
/// A tag every span of the Gateway carries: <see cref="Value"/> itself (Literal), the proxy's environment variable
/// <see cref="Value"/> or the request header <see cref="Value"/>, else <see cref="Default"/>.
/// </summary>
public sealed record CustomTagIr(string Name, CustomTagKind Kind, string Value, string? Default = null);
