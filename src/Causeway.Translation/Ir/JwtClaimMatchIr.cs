using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>A claim (dotted path) that must equal one of <see cref="Values"/> (for arrays: contain one).</summary>
public sealed record JwtClaimMatchIr(string Name, bool StringArray, EquatableArray<string> Values);
