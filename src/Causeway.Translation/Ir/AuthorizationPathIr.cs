namespace Causeway.Translation.Ir;

/// <summary>An operation path: <see cref="PathMatchKind"/> Exact, Prefix or Regex, optionally inverted.</summary>
public sealed record AuthorizationPathIr(PathMatchKind Kind, string Value, bool Invert);
