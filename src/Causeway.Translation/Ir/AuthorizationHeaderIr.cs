using Causeway.Model;

namespace Causeway.Translation.Ir;

/// <summary>A header the request must have with one of <see cref="Values"/>.</summary>
public sealed record AuthorizationHeaderIr(string Name, EquatableArray<string> Values);
